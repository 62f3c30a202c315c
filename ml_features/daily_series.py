"""Turn a long table of daily aggregates into dense, zero-filled per-series arrays.

Both feature modules (revenue features and revenue anomalies) work on the same
input: one row per series (a country, or ``All``) and calendar day, with the
day's revenue and counts. The marts are already zero-filled, but these
functions do not rely on it: a day missing inside a series' range (first to
last date of that series in the input) is treated as a day with zero revenue,
zero invoices and zero views.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SERIES_COLUMN = "country_name"
DATE_COLUMN = "revenue_date"


class DailySeriesError(ValueError):
    """The daily input table cannot be turned into series (missing column, nulls, duplicates)."""


@dataclass(frozen=True)
class DenseSeries:
    """One series on every calendar day from its first to its last date.

    ``days`` are numpy ``datetime64[D]`` values, consecutive; every array in
    ``values`` has the same length as ``days``.
    """

    key: str
    days: np.ndarray
    values: dict[str, np.ndarray]


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


def iter_dense_series(
    daily: pd.DataFrame,
    measures: Sequence[str],
    *,
    series_column: str = SERIES_COLUMN,
    date_column: str = DATE_COLUMN,
) -> Iterator[DenseSeries]:
    """Yield each series of ``daily`` zero-filled over its own date range, in key order.

    ``revenue`` (if among ``measures``) comes back as int64 cents, other
    measures as int64 counts. Duplicate (series, date) rows are an error, not
    summed: the marts have one row per series and day.
    """
    check_columns(daily, [series_column, date_column, *measures])
    days = pd.to_datetime(daily[date_column]).to_numpy().astype("datetime64[D]")
    keys = daily[series_column].astype(str).to_numpy()
    frame = pd.DataFrame({"key": keys, "day": days})
    duplicated = frame.duplicated(["key", "day"])
    if duplicated.any():
        first = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DailySeriesError(
            f"daily input has {int(duplicated.sum())} duplicate (series, date) row(s), "
            f"e.g. {keys[first]} on {np.datetime_as_string(days[first])}"
        )
    converted: dict[str, np.ndarray] = {}
    for measure in measures:
        if measure == "revenue":
            converted[measure] = revenue_to_cents(daily[measure])
        else:
            converted[measure] = np.asarray(daily[measure], dtype=np.int64)

    order = np.lexsort((days, keys))
    keys, days = keys[order], days[order]
    converted = {name: array[order] for name, array in converted.items()}
    boundaries = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], boundaries)) if len(keys) else np.array([], dtype=np.int64)
    ends = np.concatenate((boundaries, [len(keys)])) if len(keys) else starts
    for start, end in zip(starts, ends, strict=True):
        series_days = days[start:end]
        first_day = series_days[0]
        length = int((series_days[-1] - first_day).astype(np.int64)) + 1
        positions = (series_days - first_day).astype(np.int64)
        dense: dict[str, np.ndarray] = {}
        for name, array in converted.items():
            filled = np.zeros(length, dtype=np.int64)
            filled[positions] = array[start:end]
            dense[name] = filled
        yield DenseSeries(
            key=str(keys[start]),
            days=first_day + np.arange(length).astype("timedelta64[D]"),
            values=dense,
        )
