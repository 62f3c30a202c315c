"""Robust anomaly score of daily revenue against the 28 days before it.

For each series (a country, or ``All``) and day t of its zero-filled daily
series, with W = the revenue of the 28 days t-28 .. t-1:

- ``expected_revenue`` = median(W);
- ``revenue_scale`` = 1.4826 * MAD(W), where MAD(W) = median(|W - median(W)|)
  (1.4826 makes it a standard deviation for normal noise). When MAD(W) is 0
  (more than half of the window equal, e.g. a country that sells on few
  days) the scale falls back to 1.2533 * mean(|W - median(W)|), the mean
  absolute deviation scaled the same way; the scale is never below 1.00
  (one currency unit), so a window that is entirely flat still gives a
  finite score;
- ``anomaly_score`` = (revenue - expected_revenue) / revenue_scale;
- ``is_anomaly`` = |anomaly_score| > 3.5 (Iglewicz and Hoaglin's cut-off for
  modified z-scores).

The first 28 days of a series have no full window: their expected value,
scale and score are null and ``is_anomaly`` is false. The window holds only
earlier days, so a large negative day (an adjustment invoice) or the first
days of a sudden drop are compared with the normal level before them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ml_features.daily_series import DATE_COLUMN, SERIES_COLUMN, iter_dense_series

WINDOW_DAYS = 28
THRESHOLD = 3.5
MAD_TO_SIGMA = 1.4826
MEAN_DEVIATION_TO_SIGMA = 1.2533
MIN_SCALE = 1.0
OUTPUT_COLUMNS: tuple[str, ...] = (
    SERIES_COLUMN,
    "revenue_date",
    "revenue",
    "expected_revenue",
    "revenue_scale",
    "anomaly_score",
    "is_anomaly",
)


def _series_scores(revenue: np.ndarray, window_days: int, threshold: float) -> dict:
    """Expected value, scale, score and flag of every day of one dense series."""
    length = len(revenue)
    expected = np.full(length, np.nan)
    scale = np.full(length, np.nan)
    if length > window_days:
        windows = sliding_window_view(revenue[:-1], window_days)
        medians = np.median(windows, axis=1)
        deviations = np.abs(windows - medians[:, None])
        mad_scale = MAD_TO_SIGMA * np.median(deviations, axis=1)
        mean_scale = MEAN_DEVIATION_TO_SIGMA * deviations.mean(axis=1)
        robust = np.where(mad_scale > 0, mad_scale, mean_scale)
        expected[window_days:] = medians
        scale[window_days:] = np.maximum(robust, MIN_SCALE)
    score = (revenue - expected) / scale
    return {
        "revenue": revenue,
        "expected_revenue": expected,
        "revenue_scale": scale,
        "anomaly_score": score,
        "is_anomaly": np.abs(np.nan_to_num(score, nan=0.0)) > threshold,
    }


def score_revenue_anomalies(
    daily: pd.DataFrame,
    *,
    window_days: int = WINDOW_DAYS,
    threshold: float = THRESHOLD,
    series_column: str = SERIES_COLUMN,
    date_column: str = DATE_COLUMN,
) -> pd.DataFrame:
    """One row per series and day with the robust score of that day's revenue.

    ``daily`` has one row per series and day with ``revenue``; days missing
    inside a series' range are zero days. Returns ``OUTPUT_COLUMNS`` sorted by
    series and date; the score columns are NaN where the series has fewer than
    ``window_days`` earlier days.
    """
    if window_days < 2:
        raise ValueError(f"window_days must be at least 2, got {window_days}")
    parts: list[pd.DataFrame] = []
    for series in iter_dense_series(
        daily, ("revenue",), series_column=series_column, date_column=date_column
    ):
        revenue = series.values["revenue"] / 100.0
        columns = _series_scores(revenue, window_days, threshold)
        parts.append(pd.DataFrame({SERIES_COLUMN: series.key, "revenue_date": series.days, **columns}))
    if not parts:
        return pd.DataFrame({name: [] for name in OUTPUT_COLUMNS})
    return pd.concat(parts, ignore_index=True)[list(OUTPUT_COLUMNS)]
