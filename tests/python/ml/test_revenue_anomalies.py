"""score_revenue_anomalies: a per-day reference, and the anomalies it must (not) flag."""

from __future__ import annotations

import math
import random
import statistics
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from ml_series_factory import random_daily

from ml_features.revenue_anomalies import score_revenue_anomalies


def reference_scores(daily: pd.DataFrame) -> dict[tuple[str, date], tuple]:
    """(expected, scale, score, is_anomaly) per series and day, one day at a time."""
    result: dict[tuple[str, date], tuple] = {}
    for country, rows in daily.groupby("country_name"):
        by_date = {
            pd.Timestamp(row.revenue_date).date(): float(row.revenue) for row in rows.itertuples()
        }
        first, last = min(by_date), max(by_date)
        t = first
        while t <= last:
            if (t - first).days < 28:
                result[(country, t)] = (None, None, None, False)
            else:
                window = [by_date.get(t - timedelta(days=k), 0.0) for k in range(1, 29)]
                median = statistics.median(window)
                deviations = [abs(value - median) for value in window]
                mad = statistics.median(deviations)
                if mad > 0:
                    scale = 1.4826 * mad
                else:
                    scale = 1.2533 * sum(deviations) / len(deviations)
                scale = max(scale, 1.0)
                score = (by_date.get(t, 0.0) - median) / scale
                result[(country, t)] = (median, scale, score, abs(score) > 3.5)
            t += timedelta(days=1)
    return result


@pytest.mark.parametrize("seed", range(6))
def test_random_series_match_reference(seed):
    daily = random_daily(seed, countries=3, max_days=200)
    produced = score_revenue_anomalies(daily)
    expected = reference_scores(daily)
    assert len(produced) == len(expected)
    for row in produced.to_dict("records"):
        key = (row["country_name"], pd.Timestamp(row["revenue_date"]).date())
        want_expected, want_scale, want_score, want_flag = expected[key]
        assert row["is_anomaly"] == want_flag, key
        if want_expected is None:
            assert math.isnan(row["expected_revenue"]) and math.isnan(row["anomaly_score"]), key
        else:
            assert row["expected_revenue"] == pytest.approx(want_expected, rel=1e-12), key
            assert row["revenue_scale"] == pytest.approx(want_scale, rel=1e-9), key
            assert row["anomaly_score"] == pytest.approx(want_score, rel=1e-9, abs=1e-9), key


def noisy_series(days: int, seed: int) -> list[float]:
    """Daily revenue around 1,000 with normal noise (sd 100), rounded to cents."""
    rng = random.Random(seed)
    return [round(rng.gauss(1_000.0, 100.0), 2) for _ in range(days)]


def as_daily(revenue: list[float], start: date = date(2019, 1, 1)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country_name": "synthetic",
            "revenue_date": [start + timedelta(days=i) for i in range(len(revenue))],
            "revenue": revenue,
        }
    )


@pytest.mark.parametrize("seed", range(5))
def test_negative_day_and_sudden_drop_are_flagged_noise_mostly_not(seed):
    revenue = noisy_series(220, seed)
    revenue[100] = -3_000.00  # adjustment invoice
    for day in range(170, 220):  # sudden drop to a fifth of the level
        revenue[day] = round(revenue[day] / 5, 2)
    scores = score_revenue_anomalies(as_daily(revenue))
    flagged = scores["is_anomaly"].to_numpy()
    assert flagged[100]
    assert scores.loc[100, "anomaly_score"] < -3.5
    assert flagged[170:177].all()  # the first week of the drop
    normal_days = [d for d in range(28, 170) if d != 100]
    assert flagged[normal_days].mean() < 0.03
    assert not flagged[:28].any()


def test_flat_window_still_gives_a_finite_score():
    revenue = [0.0] * 40 + [500.0] + [0.0] * 5
    scores = score_revenue_anomalies(as_daily(revenue))
    assert scores.loc[40, "expected_revenue"] == 0.0
    assert scores.loc[40, "revenue_scale"] == 1.0
    assert scores.loc[40, "anomaly_score"] == 500.0
    assert scores.loc[40, "is_anomaly"]
    assert not scores.loc[30:39, "is_anomaly"].any()


def test_first_window_days_have_no_score():
    scores = score_revenue_anomalies(as_daily(noisy_series(29, 0)))
    assert scores["anomaly_score"].isna().sum() == 28
    assert not np.isnan(scores.loc[28, "anomaly_score"])
