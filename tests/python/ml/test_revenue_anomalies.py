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
    """(expected, transform, noise, score, is_anomaly) per series and day, one day at a time."""
    result: dict[tuple[str, date], tuple] = {}
    for series, rows in daily.groupby("series_name"):
        by_date = {
            pd.Timestamp(row.revenue_date).date(): float(row.revenue) for row in rows.itertuples()
        }
        first, last = min(by_date), max(by_date)

        def revenue(d: date, by_date: dict = by_date) -> float:
            return by_date.get(d, 0.0)

        t = first
        while t <= last:
            if (t - first).days < 28:
                result[(series, t)] = (None, None, None, None, False)
                t += timedelta(days=1)
                continue
            window = [t - timedelta(days=k) for k in range(1, 29)]

            def same_weekday(day: date, window: list[date] = window) -> list[date]:
                days = [d for d in window if (d - day).days % 7 == 0]
                assert len(days) == 4
                return days

            typical = statistics.median(
                abs(statistics.median(revenue(d) for d in same_weekday(day))) for day in window[:7]
            )
            c = max(0.1 * typical, 1.0)

            def z(day: date, c: float = c) -> float:
                return math.asinh(revenue(day) / c)

            def weekday_median_z(day: date) -> float:
                return statistics.median(z(d) for d in same_weekday(day))

            deviations = [abs(z(d) - weekday_median_z(d)) for d in window]
            mad = statistics.median(deviations)
            noise = 2.32 * mad if mad > 0 else 1.72 * sum(deviations) / len(deviations)
            noise = max(noise, 0.1)
            expected_z = weekday_median_z(t)
            score = (z(t) - expected_z) / noise
            expected = c * math.sinh(expected_z)
            result[(series, t)] = (expected, c, noise, score, abs(score) > 3.5)
            t += timedelta(days=1)
    return result


@pytest.mark.parametrize("seed", range(6))
def test_random_series_match_reference(seed):
    daily = random_daily(seed, countries=3, max_days=150)
    produced = score_revenue_anomalies(daily)
    expected = reference_scores(daily)
    assert len(produced) == len(expected)
    for row in produced.to_dict("records"):
        key = (row["series_name"], pd.Timestamp(row["revenue_date"]).date())
        want_expected, want_transform, want_noise, want_score, want_flag = expected[key]
        assert row["is_anomaly"] == want_flag, key
        if want_expected is None:
            assert math.isnan(row["expected_revenue"]) and math.isnan(row["anomaly_score"]), key
        else:
            assert row["expected_revenue"] == pytest.approx(want_expected, rel=1e-9, abs=1e-9), key
            assert row["transform_scale"] == pytest.approx(want_transform, rel=1e-12), key
            assert row["noise_scale"] == pytest.approx(want_noise, rel=1e-9), key
            assert row["anomaly_score"] == pytest.approx(want_score, rel=1e-9, abs=1e-9), key


START = date(2019, 1, 7)  # a Monday


def weekly_series(days: int, seed: int) -> list[float]:
    """Revenue like AAVAIL's: about 1,000 a weekday (sd 100), 40% on Fridays, 0 on Saturdays."""
    rng = random.Random(seed)
    level = {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0, 4: 0.4, 5: 0.0, 6: 0.8}
    revenue = []
    for offset in range(days):
        weekday = (START + timedelta(days=offset)).weekday()
        revenue.append(round(max(rng.gauss(1_000.0, 100.0), 0.0) * level[weekday], 2))
    return revenue


def as_daily(revenue: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_name": "synthetic",
            "revenue_date": [START + timedelta(days=i) for i in range(len(revenue))],
            "revenue": revenue,
        }
    )


@pytest.mark.parametrize("seed", range(5))
def test_negative_day_and_sudden_drop_are_flagged(seed):
    revenue = weekly_series(240, seed)
    revenue[100] = -3_000.00  # adjustment invoice (a Wednesday)
    for day in range(170, 240):  # sudden drop to a fifth of the level
        revenue[day] = round(revenue[day] / 5, 2)
    scores = score_revenue_anomalies(as_daily(revenue))
    flagged = scores["is_anomaly"].to_numpy()
    assert flagged[100]
    assert scores.loc[100, "anomaly_score"] < -3.5
    # The first week of the drop, except its Saturday (0 before and after).
    first_week = [d for d in range(170, 177) if (START + timedelta(days=d)).weekday() != 5]
    assert flagged[first_week].all()
    assert (scores.loc[first_week, "anomaly_score"] < -3.5).all()
    assert not flagged[:28].any()


def test_normal_noise_is_mostly_not_flagged():
    """Noise only: few flags (documented: about 3% of days on this weekly pattern)."""
    rates = []
    for seed in range(8):
        scores = score_revenue_anomalies(as_daily(weekly_series(400, seed)))
        rates.append(scores.loc[28:, "is_anomaly"].mean())
    assert max(rates) < 0.08
    assert sum(rates) / len(rates) < 0.05


def test_quiet_saturdays_are_not_anomalies_but_a_holiday_gap_is():
    revenue = weekly_series(120, 11)
    for day in range(80, 92):  # twelve days without sales, like Christmas 2017
        # (the first week of it must stand out; later the window has seen zeros too)
        revenue[day] = 0.0
    scores = score_revenue_anomalies(as_daily(revenue))
    weekdays = np.array([(START + timedelta(days=i)).weekday() for i in range(120)])
    saturdays = np.flatnonzero(weekdays == 5)
    assert not scores.loc[saturdays, "is_anomaly"].any()
    gap_weekdays = [d for d in range(80, 87) if weekdays[d] in (0, 1, 2, 3)]
    assert scores.loc[gap_weekdays, "is_anomaly"].all()
    assert (scores.loc[gap_weekdays, "anomaly_score"] < -3.5).all()


def test_flat_window_still_gives_a_finite_score():
    revenue = [0.0] * 40 + [500.0] + [0.0] * 5
    scores = score_revenue_anomalies(as_daily(revenue))
    row = scores.loc[40]
    assert row["expected_revenue"] == 0.0
    assert row["transform_scale"] == 1.0  # the floor: the window's level is 0
    assert row["noise_scale"] == 0.1  # the floor: the window is flat
    assert row["anomaly_score"] == pytest.approx(math.asinh(500.0) / 0.1)
    assert row["is_anomaly"]
    assert not scores.loc[30:39, "is_anomaly"].any()


def test_first_window_days_have_no_score():
    scores = score_revenue_anomalies(as_daily(weekly_series(29, 0)))
    assert scores["anomaly_score"].isna().sum() == 28
    assert not np.isnan(scores.loc[28, "anomaly_score"])
