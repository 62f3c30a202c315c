"""Streaming: stream-event CSV exports `aavail-streams*.csv` -> raw_streaming.streams.

The file name is matched case-insensitively (`aavail-streams.CSV` too), like
billing's `*.JSON`. Every column's plausibility rule: docs/raw_tables.md.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import duckdb

from python_loaders.landing import Column, Staged, TableSpec
from python_loaders.readers import read_csv_file
from python_loaders.sources import rules
from python_loaders.sources.base import Source

PATTERN = "aavail-streams*.csv"

STREAMS = TableSpec(
    "raw_streaming",
    "streams",
    (
        Column("customer_id", "BIGINT", required=True, rule=rules.id_rule("customer_id")),
        Column("stream_id"),
        Column("date", "DATE", required=True, rule=rules.date_rule("date")),
        Column("invoice_item_id", "DOUBLE", rule=rules.id_rule("invoice_item_id")),
        Column("subscription_stopped", "INTEGER", required=True, rule=rules.FLAG),
    ),
)


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> list[Staged]:
    return read_csv_file(con, path, STREAMS)


SOURCE = Source(
    name="streaming",
    tables=(STREAMS,),
    matches=lambda rel: "/" not in rel and fnmatchcase(rel.lower(), PATTERN),
    read=_read,
)
