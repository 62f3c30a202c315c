"""Streaming: stream-event CSV exports `aavail-streams*.csv` -> raw_streaming.streams.

The file name is matched case-insensitively (`aavail-streams.CSV` too), like
billing's `*.JSON`. Every column's plausibility rule: docs/raw_tables.md.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from python_loaders.ingestion.landing import Staged
from python_loaders.ingestion.readers import read_csv_file
from python_loaders.ingestion.sources import rules
from python_loaders.ingestion.sources.base import Source
from python_loaders.ingestion.spec import Column, TableSpec
from python_loaders.source_layout import is_streams_file

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
    matches=is_streams_file,
    read=_read,
)
