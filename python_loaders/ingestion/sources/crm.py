"""CRM: the SQLite customer database `aavail-customers.db` -> raw_crm.*.

Every column's plausibility rule: docs/raw_tables.md.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from python_loaders.ingestion.landing import Staged
from python_loaders.ingestion.readers import read_sqlite_tables
from python_loaders.ingestion.sources import rules
from python_loaders.ingestion.sources.base import Source
from python_loaders.ingestion.spec import Column, RowCheck, TableSpec
from python_loaders.source_layout import is_crm_file

CUSTOMER = TableSpec(
    "raw_crm",
    "customer",
    (
        Column("generated_id", "BIGINT", rule=rules.id_rule("generated_id")),
        Column("customer_id", "BIGINT", required=True, rule=rules.id_rule("customer_id")),
        Column("last_name"),
        Column("first_name"),
        Column("gender"),
        Column("dob", required=True, rule=rules.MM_DD_YY),
        Column("city"),
        Column("state"),
        Column("country_id", "BIGINT", rule=rules.id_rule("country_id")),
    ),
    checks=(
        RowCheck(
            ("dob",),
            "try_strptime(trim({dob}), '%m/%d/%y')",
            "dob is not a real MM/DD/YY date",
        ),
    ),
)
COUNTRY = TableSpec(
    "raw_crm",
    "country",
    (
        Column("generated_id", "BIGINT", rule=rules.id_rule("generated_id")),
        Column("country_id", "BIGINT", required=True, rule=rules.id_rule("country_id")),
        Column("country_name"),
    ),
)
INVOICE = TableSpec(
    "raw_crm",
    "invoice",
    (
        Column("generated_id", "BIGINT", rule=rules.id_rule("generated_id")),
        Column("invoice_item_id", "BIGINT", required=True, rule=rules.id_rule("invoice_item_id")),
        Column("customer_id", "BIGINT", required=True, rule=rules.id_rule("customer_id")),
        Column("signup_date", "DATE", required=True, rule=rules.date_rule("signup_date")),
        Column("last_stream", "DATE", rule=rules.date_rule("last_stream")),
    ),
)
INVOICE_ITEM = TableSpec(
    "raw_crm",
    "invoice_item",
    (
        Column("generated_id", "BIGINT", rule=rules.id_rule("generated_id")),
        Column("invoice_item_id", "BIGINT", required=True, rule=rules.id_rule("invoice_item_id")),
        Column("invoice_item"),
    ),
)

# SQLite table name (matched case-insensitively) -> raw table.
TABLES: dict[str, TableSpec] = {
    "CUSTOMER": CUSTOMER,
    "COUNTRY": COUNTRY,
    "INVOICE": INVOICE,
    "INVOICE_ITEM": INVOICE_ITEM,
}


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> list[Staged]:
    return read_sqlite_tables(con, path, TABLES)


SOURCE = Source(
    name="crm",
    tables=tuple(TABLES.values()),
    matches=is_crm_file,
    read=_read,
)
