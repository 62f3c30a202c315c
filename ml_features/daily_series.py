"""Lay a long table of dense daily series end to end as numpy arrays, checking it is dense.

Both feature modules (revenue features and revenue anomalies) work on the same
input: one row per series (a country, or the all-countries series ``All``)
and calendar day, with the day's revenue and counts, every day of a series
present from its first to its last date. The revenue grid
(``intermediate.int_invoice_lines_aggregated_to_days``) is that table: it is
the project's one zero-fill, so these functions never fill. A missing day
inside a series is an error, not a silent zero.

All series are laid end to end in one set of numpy arrays (series in key
order, days ascending), so the feature code is vectorised over every series
at once instead of looping over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SERIES_COLUMN = "series_name"
DATE_COLUMN = "revenue_date"
GRID_MODEL = "intermediate.int_invoice_lines_aggregated_to_days"


class DailySeriesError(ValueError):
    """The daily input is not dense series (missing column, nulls, duplicates, missing days)."""


@dataclass(frozen=True)
class DenseSeries:
    """Every series on every calendar day from its first to its last date, end to end.

    All arrays have one element per row. ``position`` is the day's index
    within its own series (0 on the series' first day); ``series_start`` and
    ``series_stop`` are the row indices where the row's series begins and
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
        """The series key of every row, without repeating strings."""
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


def _day_text(day_number: int) -> str:
    return str(np.datetime_as_string(np.datetime64(int(day_number), "D")))


def dense_series(
    daily: pd.DataFrame,
    measures: Sequence[str],
    *,
    series_column: str = SERIES_COLUMN,
    date_column: str = DATE_COLUMN,
) -> DenseSeries:
    """The series of ``daily`` end to end; each must hold every day of its date range.

    ``revenue`` (if among ``measures``) comes back as int64 cents, other
    measures as int64 counts. Duplicate (series, date) rows and days missing
    inside a series are errors naming the series and the day.
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

    same_series = codes[1:] == codes[:-1]
    step = day_numbers[1:] - day_numbers[:-1]
    duplicates = same_series & (step == 0)
    if duplicates.any():
        first = int(np.flatnonzero(duplicates)[0]) + 1
        raise DailySeriesError(
            f"daily input has {int(duplicates.sum())} duplicate (series, date) row(s), "
            f"e.g. {keys[codes[first]]} on {_day_text(day_numbers[first])}"
        )
    gaps = same_series & (step > 1)
    if gaps.any():
        first = int(np.flatnonzero(gaps)[0])
        raise DailySeriesError(
            f"daily input is not zero-filled: {int((step[gaps] - 1).sum())} day(s) missing "
            f"inside series, e.g. {keys[codes[first]]} on {_day_text(day_numbers[first] + 1)}; "
            f"read the revenue grid {GRID_MODEL}, which has every day"
        )

    total = len(codes)
    starts = np.flatnonzero(np.concatenate(([True], ~same_series))[:total]).astype(np.int64)
    stops = np.append(starts[1:], total)[: len(starts)].astype(np.int64)
    lengths = stops - starts
    series_start = np.repeat(starts, lengths)
    values: dict[str, np.ndarray] = {}
    for measure in measures:
        column = daily[measure].to_numpy()[order]
        values[measure] = (
            revenue_to_cents(column) if measure == "revenue" else column.astype(np.int64)
        )
    return DenseSeries(
        keys=keys,
        series_code=codes,
        days=day_numbers.astype("datetime64[D]"),
        position=np.arange(total, dtype=np.int64) - series_start,
        series_start=series_start,
        series_stop=np.repeat(stops, lengths),
        values=values,
    )
