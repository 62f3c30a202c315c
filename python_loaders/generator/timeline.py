"""The calendar of the synthetic universe: months, daily sales weights, special days.

Billing covers the 26 months 2017-11 .. 2019-12. A day's share of invoice lines
is the product of a weekday weight (almost no Saturday sales), a seasonal
month weight (autumn peak), a gentle growth trend, a Christmas 2017 gap with
no sales at all and one sudden drop (a few days of far lower sales).
"""

from __future__ import annotations

import numpy as np

FIRST_DAY = np.datetime64("2017-11-01")
END_DAY = np.datetime64("2020-01-01")  # exclusive
MONTHS: tuple[tuple[int, int], ...] = tuple(
    (2017 + (10 + k) // 12, (10 + k) % 12 + 1) for k in range(26)
)

# Monday .. Sunday. Saturday almost never sells, as in the source.
WEEKDAY_WEIGHTS = np.array([1.0, 1.05, 1.0, 1.2, 0.8, 0.001, 0.6])
# January .. December: autumn peak.
MONTH_WEIGHTS = np.array([0.7, 0.7, 0.85, 0.8, 0.85, 0.85, 0.85, 0.9, 1.15, 1.35, 1.6, 1.0])
GROWTH_PER_YEAR = 0.2

CHRISTMAS_GAP = (np.datetime64("2017-12-23"), np.datetime64("2018-01-03"))  # inclusive
SUDDEN_DROP = (np.datetime64("2019-06-10"), np.datetime64("2019-06-14"))  # inclusive
SUDDEN_DROP_FACTOR = 0.08

# Stream events (the streaming service went live in 2018).
STREAM_FIRST_DAY = np.datetime64("2018-01-02")
STREAM_LAST_DAY = np.datetime64("2019-09-03")


def all_days() -> np.ndarray:
    """Every billing day, 2017-11-01 .. 2019-12-31, as ``datetime64[D]``."""
    return np.arange(FIRST_DAY, END_DAY, dtype="datetime64[D]")


def weekday(days: np.ndarray) -> np.ndarray:
    """0 = Monday .. 6 = Sunday."""
    return (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday


def month_number(days: np.ndarray) -> np.ndarray:
    """1 .. 12."""
    return days.astype("datetime64[M]").astype(np.int64) % 12 + 1


def month_index(days: np.ndarray) -> np.ndarray:
    """0 for 2017-11 .. 25 for 2019-12."""
    return days.astype("datetime64[M]").astype(np.int64) - FIRST_DAY.astype("datetime64[M]").astype(
        np.int64
    )


def day_weights(days: np.ndarray) -> np.ndarray:
    """Relative expected invoice lines per day (zero in the Christmas 2017 gap)."""
    years = (days - FIRST_DAY).astype(np.int64) / 365.25
    weights = WEEKDAY_WEIGHTS[weekday(days)] * MONTH_WEIGHTS[month_number(days) - 1]
    weights = weights * (1.0 + GROWTH_PER_YEAR * years)
    weights[(days >= CHRISTMAS_GAP[0]) & (days <= CHRISTMAS_GAP[1])] = 0.0
    weights[(days >= SUDDEN_DROP[0]) & (days <= SUDDEN_DROP[1])] *= SUDDEN_DROP_FACTOR
    return weights


def adjustment_days(rng: np.random.Generator, count: int = 3) -> np.ndarray:
    """A few ordinary weekdays (2018-02 .. 2019-11) that get a large negative adjustment."""
    days = np.arange(np.datetime64("2018-02-01"), np.datetime64("2019-12-01"))
    ordinary = (weekday(days) < 5) & ~((days >= SUDDEN_DROP[0]) & (days <= SUDDEN_DROP[1]))
    return np.sort(rng.choice(days[ordinary], size=count, replace=False))
