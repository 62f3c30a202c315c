"""Revenue-forecasting features of the AAVAIL course capstone, vectorised.

For each series (a country, or ``All`` for all countries together) and each
day t of its dense daily series (one row per calendar day, as the revenue
grid has them; windows in calendar days; days before the series count as zero
revenue):

- ``previous_7/14/28/70``: revenue summed over the N days before t (t-N .. t-1);
- ``previous_year``: revenue summed over t-365 .. t-336 (the 30-day target
  window one year earlier; 365 days, also across a 29 February);
- ``recent_invoices``, ``recent_views``: mean of ``num_invoices`` and of
  ``num_views`` over the days of t-30 .. t-1 that lie in the series' range,
  0 when none does (the first day of a series);
- ``target_next_30``: revenue summed over t .. t+29, null (NaN) when t+29 is
  after the series' last day;
- ``has_history``: false when all seven features are zero.

Implementation: all series end to end, integer-cent prefix sums, so every
window sum is one subtraction, exact, and vectorised over all series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml_features.daily_series import DATE_COLUMN, SERIES_COLUMN, DenseSeries, dense_series

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
INPUT_MEASURES: tuple[str, ...] = ("revenue", "num_invoices", "num_views")


def _window_sums(
    prefix: np.ndarray, dense: DenseSeries, first_offset: int, stop_offset: int
) -> np.ndarray:
    """Per dense row i, the sum of rows i+first_offset .. i+stop_offset-1 of its own series.

    ``prefix[k]`` is the sum of the first k dense rows (``prefix[0] == 0``);
    the window is clipped to the row's series, so days outside it count as 0.
    """
    rows = np.arange(len(dense.position), dtype=np.int64)
    low = np.clip(rows + first_offset, dense.series_start, dense.series_stop)
    high = np.clip(rows + stop_offset, dense.series_start, dense.series_stop)
    return prefix[high] - prefix[low]


def _prefix(values: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(values)))


def engineer_revenue_features(
    daily: pd.DataFrame,
    *,
    series_column: str = SERIES_COLUMN,
    date_column: str = DATE_COLUMN,
) -> pd.DataFrame:
    """One row per series and day with the capstone features and the 30-day target.

    ``daily`` has one row per series and day with ``revenue`` (currency, at
    most two decimals), ``num_invoices`` and ``num_views``, every day of each
    series' range present (a missing day raises DailySeriesError). Returns the
    columns of ``OUTPUT_COLUMNS`` (the key as ``series_name``,
    ``feature_date``), sorted by series and date.
    """
    dense = dense_series(
        daily, INPUT_MEASURES, series_column=series_column, date_column=date_column
    )
    revenue = _prefix(dense.values["revenue"])
    columns: dict[str, object] = {
        SERIES_COLUMN: dense.series_names(),
        "feature_date": dense.days,
    }
    for days in PREVIOUS_WINDOWS:
        columns[f"previous_{days}"] = _window_sums(revenue, dense, -days, 0) / 100.0
    columns["previous_year"] = (
        _window_sums(revenue, dense, -YEAR_LAG_DAYS, -YEAR_LAG_DAYS + TARGET_DAYS) / 100.0
    )

    recent_days = np.minimum(dense.position, RECENT_DAYS)
    divisor = np.maximum(recent_days, 1)
    for name, measure in (("recent_invoices", "num_invoices"), ("recent_views", "num_views")):
        sums = _window_sums(_prefix(dense.values[measure]), dense, -RECENT_DAYS, 0)
        columns[name] = np.where(recent_days > 0, sums / divisor, 0.0)

    target = _window_sums(revenue, dense, 0, TARGET_DAYS) / 100.0
    has_full_target = dense.position + TARGET_DAYS <= dense.series_stop - dense.series_start
    columns["target_next_30"] = np.where(has_full_target, target, np.nan)
    columns["has_history"] = np.logical_or.reduce(
        [np.asarray(columns[name]) != 0 for name in FEATURE_COLUMNS]
    )
    return pd.DataFrame(columns)[list(OUTPUT_COLUMNS)]
