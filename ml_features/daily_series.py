"""Turn a long table of daily aggregates into dense, zero-filled series, all at once.

Both feature modules (revenue features and revenue anomalies) work on the same
input: one row per series (a country, or ``All``) and calendar day, with the
day's revenue and counts. The marts are already zero-filled, but these
functions do not rely on it: a day missing inside a series' range (first to
last date of that series in the input) is treated as a day with zero revenue,
zero invoices and zero views.

All series are laid end to end in one set of numpy arrays (series in key
order, days ascending), so the feature code is vectorised over every series
at once instead of looping over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SERIES_COLUMN = "country_name"
DATE_COLUMN = "revenue_date"


class DailySeriesError(ValueError):
    """The daily input table cannot be turned into series (missing column, nulls, duplicates)."""


@dataclass(frozen=True)
class DenseSeries:
    """Every series on every calendar day from its first to its last date, end to end.

    All arrays have one element per dense row. ``position`` is the day's index
    within its own series (0 on the series' first day); ``series_start`` and
    ``series_stop`` are the dense-row indices where the row's series begins and
    ends (exclusive); ``series_code`` indexes ``keys``.
    """

    keys: np.ndarray
    series_code: np.ndarray
    days: np.ndarray
    position: np.ndarray
    series_start: np.ndarray
    series_stop: np.ndarray
    values: dict[str, np.ndarray]

    def series_names(self) -> pd.Categorical:
        """The series key of every dense row, without repeating strings."""
        return pd.Categorical.from_codes(self.series_code, categories=self.keys)


def revenue_to_cents(revenue: pd.Series | np.ndarray) -> np.ndarray:
    """Revenue in currency units (at most two decimals, as DECIMAL(18,2)) to int64 cents.

    Working in integer cents makes window sums exact: a difference of cumulative
    sums is then exactly zero where the window holds only zero days.
    """
    as_float = np.asarray(revenue, dtype=np.float64)
    return np.rint(as_float * 100.0).astype(np.int64)


def check_columns(daily: pd.DataFrame, needed: Sequence[str]) -> None:
    """Raise DailySeriesError naming any missing column or any null in a needed column."""
    missing = [column for column in needed if column not in daily.columns]
    if missing:
        raise DailySeriesError(
            f"daily input lacks column(s) {', '.join(missing)}; has {', '.join(daily.columns)}"
        )
    for column in needed:
        nulls = int(daily[column].isna().sum())
        if nulls:
            raise DailySeriesError(f"daily input column {column} has {nulls} null value(s)")


def densify(
    daily: pd.DataFrame,
    measures: Sequence[str],
    *,
    series_column: str = SERIES_COLUMN,
    date_column: str = DATE_COLUMN,
) -> DenseSeries:
    """Zero-fill each series of ``daily`` over its own date range.

    ``revenue`` (if among ``measures``) comes back as int64 cents, other
    measures as int64 counts. Duplicate (series, date) rows are an error, not
    summed: the marts have one row per series and day.
    """
    check_columns(daily, [series_column, date_column, *measures])
    codes, keys = pd.factorize(daily[series_column].astype(str), sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    keys = np.asarray(keys, dtype=object)
    day_numbers = (
        pd.to_datetime(daily[date_column]).to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    order = np.lexsort((day_numbers, codes))
    codes, day_numbers = codes[order], day_numbers[order]

    same_as_previous = (codes[1:] == codes[:-1]) & (day_numbers[1:] == day_numbers[:-1])
    if same_as_previous.any():
        first = int(np.flatnonzero(same_as_previous)[0]) + 1
        day = np.datetime_as_string(np.datetime64(int(day_numbers[first]), "D"))
        raise DailySeriesError(
            f"daily input has {int(same_as_previous.sum())} duplicate (series, date) row(s), "
            f"e.g. {keys[codes[first]]} on {day}"
        )

    series_count = len(keys)
    first_day = np.full(series_count, np.iinfo(np.int64).max)
    last_day = np.full(series_count, np.iinfo(np.int64).min)
    np.minimum.at(first_day, codes, day_numbers)
    np.maximum.at(last_day, codes, day_numbers)
    lengths = last_day - first_day + 1 if series_count else np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    total = int(lengths.sum())

    series_code = np.repeat(np.arange(series_count, dtype=np.int64), lengths)
    position = np.arange(total, dtype=np.int64) - starts[series_code]
    dense_index = starts[codes] + (day_numbers - first_day[codes])
    values: dict[str, np.ndarray] = {}
    for measure in measures:
        column = daily[measure].to_numpy()[order]
        source = revenue_to_cents(column) if measure == "revenue" else column.astype(np.int64)
        filled = np.zeros(total, dtype=np.int64)
        filled[dense_index] = source
        values[measure] = filled
    return DenseSeries(
        keys=keys,
        series_code=series_code,
        days=(first_day[series_code] + position).astype("datetime64[D]"),
        position=position,
        series_start=starts[series_code],
        series_stop=(starts + lengths)[series_code],
        values=values,
    )
