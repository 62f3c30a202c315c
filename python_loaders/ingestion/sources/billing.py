"""Billing: monthly invoice-line JSON arrays `invoices/**/*.json` -> raw_billing.invoice_lines.

Field names drift between files: `total_price`, `StreamID` and `TimesViewed`
are aliases (matched case-insensitively) of `price`, `stream_id`, `times_viewed`.
A record holding both a name and its alias (`price` and `total_price`) is
rejected (landing.py). Every column's plausibility rule: docs/raw_tables.md.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from python_loaders.ingestion.landing import Staged
from python_loaders.ingestion.readers import read_json_array
from python_loaders.ingestion.sources import rules
from python_loaders.ingestion.sources.base import Source
from python_loaders.ingestion.spec import Column, RowCheck, TableSpec
from python_loaders.source_layout import is_invoice_file

INVOICE_LINES = TableSpec(
    "raw_billing",
    "invoice_lines",
    (
        Column("country", required=True),
        Column("customer_id", "DOUBLE", rule=rules.id_rule("customer_id")),
        Column("invoice", required=True, rule=rules.INVOICE_CODE),
        Column("price", "DOUBLE", required=True, aliases=("total_price",), rule=rules.PRICE),
        Column("stream_id", required=True, aliases=("streamid",)),
        Column("times_viewed", "BIGINT", aliases=("timesviewed",), rule=rules.TIMES_VIEWED),
        Column("year", required=True, rule=rules.YEAR),
        Column("month", required=True, rule=rules.digits_rule("month", "{1,2}", "1 or 2 digits")),
        Column("day", required=True, rule=rules.digits_rule("day", "{1,2}", "1 or 2 digits")),
    ),
    checks=(
        RowCheck(
            ("year", "month", "day"),
            "try_cast(concat_ws('-', {year}, {month}, {day}) as date)",
            "year/month/day do not form a real date",
        ),
    ),
)


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> list[Staged]:
    return read_json_array(con, path, INVOICE_LINES)


SOURCE = Source(name="billing", tables=(INVOICE_LINES,), matches=is_invoice_file, read=_read)
