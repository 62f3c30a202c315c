"""Revenue-forecasting features of the AAVAIL course capstone, vectorised.

For each series (a country, or ``All``) and each day t of its zero-filled
daily series (windows in calendar days; days outside the series count as zero
revenue):

- ``previous_7/14/28/70``: revenue summed over the N days before t (t-N .. t-1);
- ``previous_year``: revenue summed over t-365 .. t-336 (the 30-day target
  window one year earlier; 365 days, also across a 29 February);
- ``recent_invoices``, ``recent_views``: mean of ``unique_invoices`` and of
  ``total_views`` over the days of t-30 .. t-1 that lie in the series' range,
  0 when none does (the first day of a series);
- ``target_next_30``: revenue summed over t .. t+29, null (NaN) when t+29 is
  after the series' last day;
- ``has_history``: false when all seven features are zero.

Implementation: integer-cent prefix sums per series, so every window sum is
one subtraction and exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml_features.daily_series import DATE_COLUMN, SERIES_COLUMN, iter_dense_series

PREVIOUS_WINDOWS: tuple[int, ...] = (7, 14, 28, 70)
YEAR_LAG_DAYS = 365
TARGET_DAYS = 30
RECENT_DAYS = 30
FEATURE_COLUMNS: tuple[str, ...] = (
    *(f"previous_{days}" for days in PREVIOUS_WINDOWS),
    "previous_year",
    "recent_invoices",
    "recent_views",
)
OUTPUT_COLUMNS: tuple[str, ...] = (
    SERIES_COLUMN,
    "feature_date",
    *FEATURE_COLUMNS,
    "target_next_30",
    "has_history",
)
INPUT_MEASURES: tuple[str, ...] = ("revenue", "unique_invoices", "total_views")


def _window_sums(prefix: np.ndarray, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Sum of the dense values at positions [start, stop), clipped to the series.

    ``prefix[k]`` is the sum of the first k values (``prefix[0] == 0``).
    """
    length = len(prefix) - 1
    return prefix[np.clip(stops, 0, length)] - prefix[np.clip(starts, 0, length)]


def _series_features(revenue_cents: np.ndarray, invoices: np.ndarray, views: np.ndarray) -> dict:
    """All feature columns of one dense series (revenue in cents on input, units on output)."""
    length = len(revenue_cents)
    t = np.arange(length, dtype=np.int64)
    revenue_prefix = np.concatenate(([0], np.cumsum(revenue_cents)))
    columns: dict[str, np.ndarray] = {}
    for days in PREVIOUS_WINDOWS:
        columns[f"previous_{days}"] = _window_sums(revenue_prefix, t - days, t) / 100.0
    year_start = t - YEAR_LAG_DAYS
    columns["previous_year"] = (
        _window_sums(revenue_prefix, year_start, year_start + TARGET_DAYS) / 100.0
    )

    recent_days = np.minimum(t, RECENT_DAYS)
    divisor = np.maximum(recent_days, 1)
    for name, values in (("recent_invoices", invoices), ("recent_views", views)):
        prefix = np.concatenate(([0], np.cumsum(values)))
        sums = _window_sums(prefix, t - RECENT_DAYS, t)
        columns[name] = np.where(recent_days > 0, sums / divisor, 0.0)

    target = _window_sums(revenue_prefix, t, t + TARGET_DAYS) / 100.0
    columns["target_next_30"] = np.where(t + TARGET_DAYS <= length, target, np.nan)
    return columns


def engineer_revenue_features(
    daily: pd.DataFrame,
    *,
    series_column: str = SERIES_COLUMN,
    date_column: str = DATE_COLUMN,
) -> pd.DataFrame:
    """One row per series and day with the capstone features and the 30-day target.

    ``daily`` has one row per series and day with ``revenue`` (currency, at
    most two decimals), ``unique_invoices`` and ``total_views``; days missing
    inside a series' range are treated as zero days. Returns the columns of
    ``OUTPUT_COLUMNS`` (the key as ``country_name``, ``feature_date``), sorted
    by series and date.
    """
    parts: list[pd.DataFrame] = []
    for series in iter_dense_series(
        daily, INPUT_MEASURES, series_column=series_column, date_column=date_column
    ):
        columns = _series_features(
            series.values["revenue"],
            series.values["unique_invoices"],
            series.values["total_views"],
        )
        part = pd.DataFrame(
            {
                SERIES_COLUMN: series.key,
                "feature_date": series.days,
                **columns,
            }
        )
        parts.append(part)
    if not parts:
        empty = pd.DataFrame({name: pd.Series(dtype="float64") for name in OUTPUT_COLUMNS})
        empty[SERIES_COLUMN] = empty[SERIES_COLUMN].astype(object)
        empty["feature_date"] = empty["feature_date"].astype("datetime64[s]")
        empty["has_history"] = empty["has_history"].astype(bool)
        return empty
    features = pd.concat(parts, ignore_index=True)
    features["has_history"] = (features[list(FEATURE_COLUMNS)] != 0).any(axis=1)
    return features[list(OUTPUT_COLUMNS)]
