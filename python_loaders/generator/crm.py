"""The CRM: customers (with their plan and billing habits) and the SQLite file.

The customer table is the universe every other source refers to: stream rows
and invoice lines only ever use these ``customer_id`` values.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from python_loaders.generator import catalog

DUPLICATE_CUSTOMER_SHARE = 0.007
DOB_YEARS = np.arange(1963, 2007)
# Relative frequency of birth years: a few 1960s, many 1990s, tailing off to 2006.
DOB_YEAR_WEIGHTS = np.interp(
    DOB_YEARS,
    [1963, 1969, 1975, 1980, 1985, 1991, 1995, 1999, 2002, 2006],
    [1, 4, 10, 25, 12, 12, 55, 95, 25, 2],
)


@dataclass(frozen=True)
class Customers:
    """One entry per distinct customer; ``customer_id`` is 1..n."""

    customer_id: np.ndarray  # int64
    plan: np.ndarray  # invoice_item_id 1..3
    billing_country: np.ndarray  # index into catalog.BILLING_COUNTRIES
    purchase_weight: np.ndarray  # relative share of the customer's invoices
    last_name: np.ndarray  # index into catalog.LAST_NAMES
    first_name: np.ndarray  # index into the gender's first-name list
    is_male: np.ndarray  # bool
    dob: np.ndarray  # datetime64[D]
    crm_country_id: np.ndarray  # 0 singapore, 1 united_states
    us_place: np.ndarray  # index into catalog.US_PLACES (ignored for Singapore)

    @property
    def count(self) -> int:
        return len(self.customer_id)


def build_customers(rng: np.random.Generator, count: int) -> Customers:
    """Draw ``count`` customers."""
    countries = np.array([weight for _, weight in catalog.BILLING_COUNTRIES])
    is_male = rng.random(count) < 0.5
    year = rng.choice(DOB_YEARS, size=count, p=DOB_YEAR_WEIGHTS / DOB_YEAR_WEIGHTS.sum())
    # ~1% born in the 1960s, at least one: the customers a naive MM/DD/YY parser ages negatively
    sixties = rng.choice(count, size=max(1, count // 100), replace=False)
    year[sixties] = rng.integers(1963, 1970, size=len(sixties))
    year_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    return Customers(
        customer_id=np.arange(1, count + 1, dtype=np.int64),
        plan=rng.choice(np.array([1, 2, 3]), size=count, p=np.array(catalog.PLAN_WEIGHTS)),
        billing_country=rng.choice(len(countries), size=count, p=countries / countries.sum()),
        purchase_weight=rng.lognormal(0.0, 1.0, size=count),
        last_name=rng.integers(0, len(catalog.LAST_NAMES), size=count),
        first_name=rng.integers(0, len(catalog.FIRST_NAMES_M), size=count),
        is_male=is_male,
        dob=year_start + rng.integers(0, 365, size=count),
        crm_country_id=(rng.random(count) >= catalog.SINGAPORE_SHARE).astype(np.int64),
        us_place=rng.integers(0, len(catalog.US_PLACES), size=count),
    )


def _customer_rows(customers: Customers, index: np.ndarray, first_generated_id: int) -> list[tuple]:
    """CUSTOMER rows for the customers at positions ``index``, numbered from the given id."""
    dob = customers.dob[index]
    months = (dob.astype("datetime64[M]").astype(np.int64) % 12 + 1).tolist()
    days = ((dob - dob.astype("datetime64[M]")).astype(np.int64) + 1).tolist()
    years = ((dob.astype("datetime64[Y]").astype(np.int64) + 1970) % 100).tolist()
    rows = []
    for offset, position in enumerate(index.tolist()):
        male = bool(customers.is_male[position])
        first_names = catalog.FIRST_NAMES_M if male else catalog.FIRST_NAMES_F
        country_id = int(customers.crm_country_id[position])
        if country_id == 0:
            city, state = catalog.SINGAPORE_CITY, None
        else:
            city, state = catalog.US_PLACES[int(customers.us_place[position])]
        rows.append(
            (
                first_generated_id + offset,
                int(customers.customer_id[position]),
                catalog.LAST_NAMES[int(customers.last_name[position])],
                first_names[int(customers.first_name[position])],
                "m" if male else "f",
                f"{months[offset]:02d}/{days[offset]:02d}/{years[offset]:02d}",
                city,
                state,
                country_id,
            )
        )
    return rows


def duplicate_positions(rng: np.random.Generator, count: int) -> np.ndarray:
    """Positions of the customers copied again at the end of CUSTOMER (~0.7%, at least one)."""
    if count == 0:
        return np.empty(0, dtype=np.int64)
    copies = max(1, round(count * DUPLICATE_CUSTOMER_SHARE))
    return np.sort(rng.choice(count, size=copies, replace=False))


def write_crm(
    path: Path,
    customers: Customers,
    duplicates: np.ndarray,
    signup_date: np.ndarray,
    last_stream: np.ndarray,
) -> int:
    """Write the SQLite CRM file (byte-reproducible); return the CUSTOMER row count."""
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA page_size = 4096")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("BEGIN")
        for ddl in (
            catalog.CUSTOMER_DDL,
            catalog.INVOICE_DDL,
            catalog.INVOICE_ITEM_DDL,
            catalog.COUNTRY_DDL,
        ):
            connection.execute(ddl)
        insert_customer = "INSERT INTO CUSTOMER VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        chunk = 100_000
        for start in range(0, customers.count, chunk):
            index = np.arange(start, min(start + chunk, customers.count))
            connection.executemany(insert_customer, _customer_rows(customers, index, start + 1))
        connection.executemany(
            insert_customer, _customer_rows(customers, duplicates, customers.count + 1)
        )
        signup_text = np.datetime_as_string(signup_date, unit="D")
        last_text = np.datetime_as_string(last_stream, unit="D")
        connection.executemany(
            "INSERT INTO INVOICE VALUES (?, ?, ?, ?, ?)",
            zip(
                customers.customer_id.tolist(),
                customers.plan.tolist(),
                customers.customer_id.tolist(),
                signup_text.tolist(),
                last_text.tolist(),
                strict=True,
            ),
        )
        connection.executemany(
            "INSERT INTO INVOICE_ITEM VALUES (?, ?, ?)",
            [(number, plan_id, name) for number, (plan_id, name) in enumerate(catalog.PLANS, 1)],
        )
        connection.executemany(
            "INSERT INTO COUNTRY VALUES (?, ?, ?)",
            [
                (number, country_id, name)
                for number, (country_id, name) in enumerate(catalog.CRM_COUNTRIES, 1)
            ],
        )
        connection.execute("COMMIT")
    finally:
        connection.close()
    return customers.count + len(duplicates)
