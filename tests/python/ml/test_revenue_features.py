"""engineer_revenue_features against a slow per-day reference written from the definitions."""

from __future__ import annotations

import itertools
import math
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from course_reference import reference_features
from ml_series_factory import random_daily

from ml_features.daily_series import DailySeriesError
from ml_features.revenue_features import FEATURE_COLUMNS, engineer_revenue_features


def assert_matches_reference(daily: pd.DataFrame) -> None:
    produced = engineer_revenue_features(daily)
    expected = reference_features(daily)
    assert len(produced) == len(expected)
    for row in produced.to_dict("records"):
        want = expected[(row["series_name"], pd.Timestamp(row["feature_date"]).date())]
        for name, value in want.items():
            got = row[name]
            if value is None:
                assert math.isnan(got), (row["series_name"], row["feature_date"], name)
            else:
                # Exact: cents are summed as integers, the reference in Decimal.
                assert got == float(value), (row["series_name"], row["feature_date"], name)


@pytest.mark.parametrize("seed", range(12))
def test_random_series_match_reference(seed):
    assert_matches_reference(random_daily(seed))


def test_single_day_series_has_no_history_and_no_target():
    daily = pd.DataFrame(
        {
            "series_name": ["solo"],
            "revenue_date": [date(2020, 2, 29)],
            "revenue": [Decimal("12.50")],
            "num_invoices": [3],
            "num_views": [9],
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
            "series_name": "leap",
            "revenue_date": days,
            "revenue": [100.0 if d == pd.Timestamp("2020-02-29") else 0.0 for d in days],
            "num_invoices": 0,
            "num_views": 0,
        }
    )
    features = engineer_revenue_features(daily).set_index("feature_date")
    seen = features.index[features["previous_year"] != 0]
    # 2020-02-29 + 336 days = 2021-01-30 and + 365 days = 2021-02-28 (2020 has 366 days).
    assert list(seen) == list(pd.date_range("2021-01-30", "2021-02-28", freq="D"))
    assert (features.loc[seen, "previous_year"] == 100.0).all()


@pytest.mark.parametrize("seed", range(6))
def test_a_missing_day_inside_a_series_is_a_clear_error(seed):
    """The grid is the one zero-fill: a day left out of a series is refused, never filled."""
    for attempt in itertools.count(seed):
        daily = random_daily(attempt, countries=3, max_days=120)
        lengths = daily.groupby("series_name")["revenue_date"].count()
        if (lengths >= 3).any():
            series = lengths[lengths >= 3].index[-1]
            break
    days = sorted(daily.loc[daily["series_name"] == series, "revenue_date"])
    missing = days[1 + seed % (len(days) - 2)]
    gappy = daily[~((daily["series_name"] == series) & (daily["revenue_date"] == missing))]
    with pytest.raises(DailySeriesError, match=rf"not zero-filled: 1 day.* {series} on {missing}"):
        engineer_revenue_features(gappy)


def test_zero_days_are_kept_as_zero_days():
    """Days without sales arrive as zero rows (from the grid) and count in the means."""
    days = pd.date_range("2016-02-01", periods=90, freq="D")
    daily = pd.DataFrame(
        {
            "series_name": "quiet",
            "revenue_date": days,
            "revenue": [float(i % 5 + 1) * 10 if i % 3 else 0.0 for i in range(90)],
            "num_invoices": [i % 4 if i % 3 else 0 for i in range(90)],
            "num_views": [i if i % 3 else 0 for i in range(90)],
        }
    )
    features = engineer_revenue_features(daily)
    assert len(features) == 90
    # recent_views on day 31 of the series: mean over the 30 earlier days, zeros included.
    assert features.loc[30, "recent_views"] == sum(i for i in range(30) if i % 3) / 30


def test_recent_means_use_only_days_inside_the_series():
    days = pd.date_range("2019-01-01", periods=5, freq="D")
    daily = pd.DataFrame(
        {
            "series_name": "young",
            "revenue_date": days,
            "revenue": 0.0,
            "num_invoices": [2, 4, 6, 8, 10],
            "num_views": [10, 20, 30, 40, 50],
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
            "series_name": "adjusted",
            "revenue_date": days,
            "revenue": revenue,
            "num_invoices": 1,
            "num_views": 1,
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
            "series_name": ["a", "a"],
            "revenue_date": [date(2020, 1, 1), date(2020, 1, 1)],
            "revenue": [1.0, 2.0],
            "num_invoices": [1, 1],
            "num_views": [1, 1],
        }
    )
    with pytest.raises(DailySeriesError, match=r"duplicate .* a on 2020-01-01"):
        engineer_revenue_features(daily)


def test_missing_column_and_nulls_are_clear_errors():
    daily = pd.DataFrame({"series_name": ["a"], "revenue_date": [date(2020, 1, 1)]})
    with pytest.raises(DailySeriesError, match="lacks column"):
        engineer_revenue_features(daily)
    daily = pd.DataFrame(
        {
            "series_name": ["a"],
            "revenue_date": [date(2020, 1, 1)],
            "revenue": [np.nan],
            "num_invoices": [1],
            "num_views": [1],
        }
    )
    with pytest.raises(DailySeriesError, match="revenue has 1 null"):
        engineer_revenue_features(daily)


def test_empty_input_gives_an_empty_table_with_every_column():
    empty = pd.DataFrame(
        {
            "series_name": pd.Series([], dtype=str),
            "revenue_date": pd.Series([], dtype="datetime64[s]"),
            "revenue": pd.Series([], dtype=float),
            "num_invoices": pd.Series([], dtype="int64"),
            "num_views": pd.Series([], dtype="int64"),
        }
    )
    features = engineer_revenue_features(empty)
    assert len(features) == 0
    assert list(features.columns) == [
        "series_name",
        "feature_date",
        *FEATURE_COLUMNS,
        "target_next_30",
        "has_history",
    ]
