"""Streaming: stream-event CSV exports `aavail-streams*.csv` -> raw_streaming.streams."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import duckdb

from python_loaders.landing import Column, Staged, TableSpec
from python_loaders.readers import read_csv_file
from python_loaders.sources.base import Source

PATTERN = "aavail-streams*.csv"

STREAMS = TableSpec(
    "raw_streaming",
    "streams",
    (
        Column("customer_id", "BIGINT", required=True),
        Column("stream_id"),
        Column("date", "DATE", required=True),
        Column("invoice_item_id", "DOUBLE"),
        Column("subscription_stopped", "INTEGER", required=True),
    ),
)


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> list[Staged]:
    return read_csv_file(con, path, STREAMS)


SOURCE = Source(
    name="streaming",
    tables=(STREAMS,),
    matches=lambda rel: "/" not in rel and fnmatchcase(rel, PATTERN),
    read=_read,
)
