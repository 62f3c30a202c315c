"""The course capstone's revenue features, one day at a time: the slow reference for the ml tests.

Written from the definitions (ml_features/revenue_features.py's docstring,
models/ml/_ml__docs.md), not from the vectorised code: a dict keyed by date,
Decimal sums, one loop per series and day. Days outside a series' range count
as zero days; the input itself must be dense (as the revenue grid is).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

FEATURE_COLUMNS = (
    "previous_7",
    "previous_14",
    "previous_28",
    "previous_70",
    "previous_year",
    "recent_invoices",
    "recent_views",
)

ZERO_DAY = (Decimal(0), 0, 0)


def reference_features(daily: pd.DataFrame) -> dict[tuple[str, date], dict]:
    """Per-day loop over a dict keyed by date, straight from the course's definitions."""
    result: dict[tuple[str, date], dict] = {}
    for series, rows in daily.groupby("series_name"):
        by_date = {
            pd.Timestamp(row.revenue_date).date(): (
                Decimal(row.revenue),
                int(row.num_invoices),
                int(row.num_views),
            )
            for row in rows.itertuples()
        }
        first, last = min(by_date), max(by_date)

        def day(d: date, by_date: dict = by_date) -> tuple[Decimal, int, int]:
            return by_date.get(d, ZERO_DAY)

        t = first
        while t <= last:
            features: dict = {}
            for n in (7, 14, 28, 70):
                features[f"previous_{n}"] = sum(
                    (day(t - timedelta(days=k))[0] for k in range(1, n + 1)), Decimal(0)
                )
            features["previous_year"] = sum(
                (day(t - timedelta(days=k))[0] for k in range(336, 366)), Decimal(0)
            )
            recent = [t - timedelta(days=k) for k in range(1, 31) if t - timedelta(days=k) >= first]
            if recent:
                features["recent_invoices"] = sum(day(d)[1] for d in recent) / len(recent)
                features["recent_views"] = sum(day(d)[2] for d in recent) / len(recent)
            else:
                features["recent_invoices"] = 0.0
                features["recent_views"] = 0.0
            if t + timedelta(days=29) <= last:
                features["target_next_30"] = sum(
                    (day(t + timedelta(days=k))[0] for k in range(30)), Decimal(0)
                )
            else:
                features["target_next_30"] = None
            features["has_history"] = any(features[name] != 0 for name in FEATURE_COLUMNS)
            result[(series, t)] = features
            t += timedelta(days=1)
    return result
