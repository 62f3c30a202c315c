"""Random dense daily series for the ml tests: zero days, single days, leap years, negative revenue.

The feature functions take what the revenue grid gives them: every series on
every day of its range, days without sales as explicit zero rows (the grid is
the project's one zero-fill; the functions refuse a missing day).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

LEAP_STARTS = (date(2015, 11, 3), date(2016, 1, 20), date(2019, 12, 1), date(2020, 2, 27))


def random_daily(
    seed: int, countries: int = 4, max_days: int = 500, *, same_range: bool = False
) -> pd.DataFrame:
    """A long daily table of several dense series with zero days and some negative days.

    Revenue is a two-decimal Decimal (as DECIMAL(18,2) in the grid); about a
    fifth of the days of each series are zero days (no sales: zero revenue,
    invoices and views), the first and last day included sometimes; one
    series in five is a single day. With ``same_range`` every series covers
    the same days, as in the grid.
    """
    rng = random.Random(seed)
    shared_start = rng.choice(LEAP_STARTS) + timedelta(days=rng.randrange(0, 60))
    shared_length = rng.randrange(2, max_days)
    rows: list[dict] = []
    for index in range(countries):
        if same_range:
            start, length = shared_start, shared_length
        else:
            start = rng.choice(LEAP_STARTS) + timedelta(days=rng.randrange(0, 60))
            length = 1 if rng.random() < 0.2 else rng.randrange(2, max_days)
        for offset in range(length):
            row = {
                "series_name": f"country_{index}",
                "revenue_date": start + timedelta(days=offset),
                "revenue": Decimal(0),
                "num_invoices": 0,
                "num_views": 0,
            }
            if length == 1 or rng.random() >= 0.2:
                draw = rng.random()
                if draw < 0.05:
                    cents = rng.randrange(-200_000, 0)  # adjustment invoices
                elif draw < 0.15:
                    cents = 0
                else:
                    cents = rng.randrange(0, 90_000)
                row |= {
                    "revenue": Decimal(cents) / 100,
                    "num_invoices": rng.randrange(0, 40),
                    "num_views": rng.randrange(0, 900),
                }
            rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
