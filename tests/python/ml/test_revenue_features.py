"""engineer_revenue_features against a slow per-day reference written from the definitions."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from ml_series_factory import random_daily

from ml_features.daily_series import DailySeriesError
from ml_features.revenue_features import FEATURE_COLUMNS, engineer_revenue_features

ZERO_DAY = (Decimal(0), 0, 0)


def reference_features(daily: pd.DataFrame) -> dict[tuple[str, date], dict]:
    """Per-day loop over a dict keyed by date, straight from the issue's definitions."""
    result: dict[tuple[str, date], dict] = {}
    for country, rows in daily.groupby("country_name"):
        by_date = {
            pd.Timestamp(row.revenue_date).date(): (
                Decimal(row.revenue),
                int(row.unique_invoices),
                int(row.total_views),
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
            result[(country, t)] = features
            t += timedelta(days=1)
    return result


def assert_matches_reference(daily: pd.DataFrame) -> None:
    produced = engineer_revenue_features(daily)
    expected = reference_features(daily)
    assert len(produced) == len(expected)
    for row in produced.to_dict("records"):
        want = expected[(row["country_name"], pd.Timestamp(row["feature_date"]).date())]
        for name, value in want.items():
            got = row[name]
            if value is None:
                assert math.isnan(got), (row["country_name"], row["feature_date"], name)
            else:
                # Exact: cents are summed as integers, the reference in Decimal.
                assert got == float(value), (row["country_name"], row["feature_date"], name)


@pytest.mark.parametrize("seed", range(12))
def test_random_series_match_reference(seed):
    assert_matches_reference(random_daily(seed))


def test_single_day_series_has_no_history_and_no_target():
    daily = pd.DataFrame(
        {
            "country_name": ["solo"],
            "revenue_date": [date(2020, 2, 29)],
            "revenue": [Decimal("12.50")],
            "unique_invoices": [3],
            "total_views": [9],
        }
    )
    features = engineer_revenue_features(daily)
    assert len(features) == 1
    row = features.iloc[0]
    assert pd.Timestamp(row["feature_date"]).date() == date(2020, 2, 29)
    assert all(row[name] == 0 for name in FEATURE_COLUMNS)
    assert not row["has_history"]
    assert math.isnan(row["target_next_30"])


def test_previous_year_window_across_29_february():
    """Revenue only on 2020-02-29: previous_year sees it for t in 2021-01-30 .. 2021-02-28."""
    days = pd.date_range("2020-01-01", "2021-03-31", freq="D")
    daily = pd.DataFrame(
        {
            "country_name": "leap",
            "revenue_date": days,
            "revenue": [100.0 if d == pd.Timestamp("2020-02-29") else 0.0 for d in days],
            "unique_invoices": 0,
            "total_views": 0,
        }
    )
    features = engineer_revenue_features(daily).set_index("feature_date")
    seen = features.index[features["previous_year"] != 0]
    # 2020-02-29 + 336 days = 2021-01-30 and + 365 days = 2021-02-28 (2020 has 366 days).
    assert list(seen) == list(pd.date_range("2021-01-30", "2021-02-28", freq="D"))
    assert (features.loc[seen, "previous_year"] == 100.0).all()


def test_missing_days_are_zero_days():
    """Leaving out zero days changes nothing: gaps inside the range are zero-filled."""
    days = pd.date_range("2016-02-01", periods=90, freq="D")
    full = pd.DataFrame(
        {
            "country_name": "gappy",
            "revenue_date": days,
            "revenue": [float(i % 5 + 1) * 10 if i % 3 else 0.0 for i in range(90)],
            "unique_invoices": [i % 4 if i % 3 else 0 for i in range(90)],
            "total_views": [i if i % 3 else 0 for i in range(90)],
        }
    )
    with_gaps = full[full["revenue"] != 0].reset_index(drop=True)
    assert with_gaps["revenue_date"].min() == days[1]
    from_full = engineer_revenue_features(full[full["revenue_date"] >= days[1]])
    from_gaps = engineer_revenue_features(with_gaps)
    pd.testing.assert_frame_equal(from_full.reset_index(drop=True), from_gaps)
    # recent_views on day 31 of the series: mean over the 30 earlier days, zeros included.
    expected = sum(i for i in range(1, 31) if i % 3) / 30
    assert from_gaps.loc[30, "recent_views"] == expected


def test_recent_means_use_only_days_inside_the_series():
    days = pd.date_range("2019-01-01", periods=5, freq="D")
    daily = pd.DataFrame(
        {
            "country_name": "young",
            "revenue_date": days,
            "revenue": 0.0,
            "unique_invoices": [2, 4, 6, 8, 10],
            "total_views": [10, 20, 30, 40, 50],
        }
    )
    features = engineer_revenue_features(daily)
    assert list(features["recent_invoices"]) == [0.0, 2.0, 3.0, 4.0, 5.0]
    assert list(features["recent_views"]) == [0.0, 10.0, 15.0, 20.0, 25.0]


def test_negative_revenue_is_summed_not_dropped():
    days = pd.date_range("2018-06-01", periods=40, freq="D")
    revenue = [10.0] * 40
    revenue[5] = -250.0
    daily = pd.DataFrame(
        {
            "country_name": "adjusted",
            "revenue_date": days,
            "revenue": revenue,
            "unique_invoices": 1,
            "total_views": 1,
        }
    )
    features = engineer_revenue_features(daily)
    assert features.loc[7, "previous_7"] == 10.0 * 6 - 250.0
    assert features.loc[0, "target_next_30"] == 10.0 * 29 - 250.0


def test_input_order_does_not_matter():
    daily = random_daily(99)
    shuffled = daily.sample(frac=1.0, random_state=1).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        engineer_revenue_features(daily), engineer_revenue_features(shuffled)
    )


def test_duplicate_series_day_is_a_clear_error():
    daily = pd.DataFrame(
        {
            "country_name": ["a", "a"],
            "revenue_date": [date(2020, 1, 1), date(2020, 1, 1)],
            "revenue": [1.0, 2.0],
            "unique_invoices": [1, 1],
            "total_views": [1, 1],
        }
    )
    with pytest.raises(DailySeriesError, match=r"duplicate .* a on 2020-01-01"):
        engineer_revenue_features(daily)


def test_missing_column_and_nulls_are_clear_errors():
    daily = pd.DataFrame({"country_name": ["a"], "revenue_date": [date(2020, 1, 1)]})
    with pytest.raises(DailySeriesError, match="lacks column"):
        engineer_revenue_features(daily)
    daily = pd.DataFrame(
        {
            "country_name": ["a"],
            "revenue_date": [date(2020, 1, 1)],
            "revenue": [np.nan],
            "unique_invoices": [1],
            "total_views": [1],
        }
    )
    with pytest.raises(DailySeriesError, match="revenue has 1 null"):
        engineer_revenue_features(daily)


def test_empty_input_gives_an_empty_table_with_every_column():
    empty = pd.DataFrame(
        {
            "country_name": pd.Series([], dtype=str),
            "revenue_date": pd.Series([], dtype="datetime64[s]"),
            "revenue": pd.Series([], dtype=float),
            "unique_invoices": pd.Series([], dtype="int64"),
            "total_views": pd.Series([], dtype="int64"),
        }
    )
    features = engineer_revenue_features(empty)
    assert len(features) == 0
    assert list(features.columns) == [
        "country_name",
        "feature_date",
        *FEATURE_COLUMNS,
        "target_next_30",
        "has_history",
    ]
