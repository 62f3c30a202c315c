"""Fixtures: small generated source directories and DuckDB views over them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from python_loaders.generator import generate_sources

SMALL_CUSTOMERS = 200
SMALL_LINES = 20_000
SEED = 7


@pytest.fixture(scope="session")
def small_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated source directory (200 customers, 20,000 invoice lines)."""
    out = tmp_path_factory.mktemp("sources")
    generate_sources(
        out, seed=SEED, customers=SMALL_CUSTOMERS, invoice_lines=SMALL_LINES, quiet=True
    )
    return out


@pytest.fixture(scope="session")
def sources_db(small_sources: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB views over the small sources: ``lines`` (billing, drift mapped), ``streams``.

    CRM tables are read with Python's sqlite3 into DuckDB tables ``customer``,
    ``invoice``, ``invoice_item``, ``country`` (DuckDB's sqlite extension is
    not available offline).
    """
    import sqlite3

    connection = duckdb.connect()
    connection.execute(
        f"""
        create table lines as
        select
            country, customer_id, invoice,
            coalesce(price, total_price) as price,
            coalesce(stream_id, "StreamID") as stream_id,
            coalesce(times_viewed, "TimesViewed") as times_viewed,
            year, month, day, filename
        from read_json('{small_sources}/invoices/*.json', union_by_name = true, filename = true)
        """
    )
    connection.execute(
        f"create table streams as select * from read_csv('{small_sources}/aavail-streams.csv',"
        " all_varchar = true)"
    )
    crm = sqlite3.connect(small_sources / "aavail-customers.db")
    try:
        for table, columns in {
            "customer": "generated_id bigint, customer_id bigint, last_name varchar, "
            "first_name varchar, gender varchar, dob varchar, city varchar, state varchar, "
            "country_id bigint",
            "invoice": "generated_id bigint, invoice_item_id bigint, customer_id bigint, "
            "signup_date varchar, last_stream varchar",
            "invoice_item": "generated_id bigint, invoice_item_id bigint, invoice_item varchar",
            "country": "generated_id bigint, country_id bigint, country_name varchar",
        }.items():
            connection.execute(f"create table {table} ({columns})")
            rows = crm.execute(f"select * from {table.upper()} order by generated_id").fetchall()
            if rows:
                marks = ", ".join("?" for _ in rows[0])
                connection.executemany(f"insert into {table} values ({marks})", rows)
    finally:
        crm.close()
    yield connection
    connection.close()
