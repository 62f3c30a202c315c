"""Robust, weekday-aware anomaly score of daily revenue against the 4 weeks before it.

For each series (a country, or ``All``) and day t of its dense daily series
(every calendar day, as the revenue grid has them), with W = the 28 days
t-28 .. t-1 (4 whole weeks: each weekday 4 times):

- ``transform_scale`` c = 10% of W's typical weekday level (the median of its
  7 weekday medians of revenue), at least 1.00. Revenue x is compared on the
  scale z = asinh(x / c): about x / c for small amounts (so a quiet Saturday
  with a few euros is not an outlier) and about log(2x / c) for large ones
  (so a day's noise, which grows with the number and size of orders, is
  about the same on busy and quiet weekdays). asinh is defined for negative
  revenue too, which maps to negative z.
- ``expected_revenue`` = c * sinh(median of z over t's weekday in W): the
  revenue of the same weekday in the last 4 weeks (between the 2nd and 3rd
  largest of those 4 days). AAVAIL sells little or nothing on Saturdays: a
  weekday-blind median would flag every quiet Saturday, or drown real drops
  in the weekly swing.
- ``noise_scale``: each day of W minus the median z of its own weekday in W
  gives 28 deviations; the scale is 2.32 x their median absolute value, in z
  units. 2.32 makes the score a standard normal for normal noise (by
  simulation: 2.04 because a median of 4 values sits closer to them than the
  true mean, times 1.14 for the error of the expected value itself). When
  that median is 0 (more than half of W equal to its weekday median, as in a
  country that sells on few days) it falls back to 1.72 x their mean; it is
  never below 0.1, so a perfectly flat window still gives a finite score.
- ``anomaly_score`` = (z(revenue) - median z of t's weekday in W) / noise_scale;
- ``is_anomaly`` = |anomaly_score| > 3.5 (Iglewicz and Hoaglin's cut-off for
  modified z-scores).

The first 28 days of a series have no full window: their expected value,
scales and score are null and ``is_anomaly`` is false. W holds only earlier
days, so a large negative day (an adjustment invoice), a holiday gap and the
first week or two of a sudden drop stand out against the level before them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ml_features.daily_series import DATE_COLUMN, SERIES_COLUMN, dense_series

WEEKS = 4
WINDOW_DAYS = 7 * WEEKS
THRESHOLD = 3.5
RESIDUAL_MAD_TO_SIGMA = 2.32
RESIDUAL_MEAN_TO_SIGMA = 1.72
MIN_TRANSFORM_SCALE = 1.0
TRANSFORM_SHARE = 0.1
MIN_NOISE_SCALE = 0.1
OUTPUT_COLUMNS: tuple[str, ...] = (
    SERIES_COLUMN,
    "revenue_date",
    "revenue",
    "expected_revenue",
    "transform_scale",
    "noise_scale",
    "anomaly_score",
    "is_anomaly",
)
CHUNK_ROWS = 100_000


def _window_statistics(revenue: np.ndarray) -> dict[str, np.ndarray]:
    """Scales, expected z and expected revenue for each index >= WINDOW_DAYS.

    Windows may span two series here; the caller keeps only rows whose window
    lies inside their own series. Computed in chunks to bound memory.
    """
    windows = sliding_window_view(revenue[:-1], WINDOW_DAYS)
    names = ("transform_scale", "expected_z", "noise_scale")
    out = {name: np.empty(len(windows)) for name in names}
    for first in range(0, len(windows), CHUNK_ROWS):
        rows = slice(first, first + CHUNK_ROWS)
        # axis 1: the 4 weeks; axis 2: the 7 weekdays, column 0 is t's own weekday.
        weeks = windows[rows].reshape(-1, WEEKS, 7)
        typical_level = np.median(np.abs(np.median(weeks, axis=1)), axis=1)
        transform = np.maximum(TRANSFORM_SHARE * typical_level, MIN_TRANSFORM_SCALE)
        z = np.arcsinh(weeks / transform[:, None, None])
        weekday_medians = np.median(z, axis=1)
        deviations = np.abs(z - weekday_medians[:, None, :]).reshape(-1, WINDOW_DAYS)
        mad_noise = RESIDUAL_MAD_TO_SIGMA * np.median(deviations, axis=1)
        mean_noise = RESIDUAL_MEAN_TO_SIGMA * deviations.mean(axis=1)
        out["transform_scale"][rows] = transform
        out["expected_z"][rows] = weekday_medians[:, 0]
        out["noise_scale"][rows] = np.maximum(
            np.where(mad_noise > 0, mad_noise, mean_noise), MIN_NOISE_SCALE
        )
    return out


def score_revenue_anomalies(
    daily: pd.DataFrame,
    *,
    threshold: float = THRESHOLD,
    series_column: str = SERIES_COLUMN,
    date_column: str = DATE_COLUMN,
) -> pd.DataFrame:
    """One row per series and day with the robust score of that day's revenue.

    ``daily`` has one row per series and day with ``revenue``, every day of
    each series' range present (a missing day raises DailySeriesError).
    Returns ``OUTPUT_COLUMNS`` sorted by series and date; the score columns
    are NaN on each series' first 28 days.
    """
    dense = dense_series(daily, ("revenue",), series_column=series_column, date_column=date_column)
    revenue = dense.values["revenue"] / 100.0
    columns = {
        name: np.full(len(revenue), np.nan)
        for name in ("transform_scale", "expected_z", "noise_scale")
    }
    if len(revenue) > WINDOW_DAYS:
        has_window = dense.position[WINDOW_DAYS:] >= WINDOW_DAYS
        for name, values in _window_statistics(revenue).items():
            columns[name][WINDOW_DAYS:] = np.where(has_window, values, np.nan)
    transform = columns["transform_scale"]
    score = (np.arcsinh(revenue / transform) - columns["expected_z"]) / columns["noise_scale"]
    return pd.DataFrame(
        {
            SERIES_COLUMN: dense.series_names(),
            "revenue_date": dense.days,
            "revenue": revenue,
            "expected_revenue": transform * np.sinh(columns["expected_z"]),
            "transform_scale": transform,
            "noise_scale": columns["noise_scale"],
            "anomaly_score": score,
            "is_anomaly": np.abs(np.nan_to_num(score, nan=0.0)) > threshold,
        }
    )[list(OUTPUT_COLUMNS)]
