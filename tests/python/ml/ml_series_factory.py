"""Random daily series for the ml tests: gaps, single days, leap years, negative revenue."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

LEAP_STARTS = (date(2015, 11, 3), date(2016, 1, 20), date(2019, 12, 1), date(2020, 2, 27))


def random_daily(seed: int, countries: int = 4, max_days: int = 500) -> pd.DataFrame:
    """A long daily table of several series with random gaps and some negative days.

    Revenue is a two-decimal Decimal (as DECIMAL(18,2) in the marts); about a
    fifth of the days inside each range are left out of the input (gaps), the
    first and last day included sometimes; one series in five is a single day.
    """
    rng = random.Random(seed)
    rows: list[dict] = []
    for index in range(countries):
        start = rng.choice(LEAP_STARTS) + timedelta(days=rng.randrange(0, 60))
        length = 1 if rng.random() < 0.2 else rng.randrange(2, max_days)
        for offset in range(length):
            if length > 1 and rng.random() < 0.2:
                continue
            draw = rng.random()
            if draw < 0.05:
                cents = rng.randrange(-200_000, 0)  # adjustment invoices
            elif draw < 0.15:
                cents = 0
            else:
                cents = rng.randrange(0, 90_000)
            rows.append(
                {
                    "country_name": f"country_{index}",
                    "revenue_date": start + timedelta(days=offset),
                    "revenue": Decimal(cents) / 100,
                    "unique_invoices": rng.randrange(0, 40),
                    "total_views": rng.randrange(0, 900),
                }
            )
    if not rows:
        return random_daily(seed + 10_000, countries, max_days)
    frame = pd.DataFrame(rows)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
