"""Open the warehouse for landing: connect (common.warehouse), create raw tables and raw_meta.

Each file commits on its own (atomic per file), but the run checkpoints once,
when it ends. DuckDB's default checkpoints whenever the write-ahead log passes
16 MB: at 2M invoice lines (26 files below one row group each, so every file's
rows go through the log) that was a checkpoint every file or two, each
rewriting the raw table's last row group, and concurrent files' checkpoints
cost more still (measured, whole 2M load: 9.3 s CPU with 1 worker and 10.3 to
11.5 s with 2, against 8.1 to 8.7 s with one checkpoint). A commit still
writes and syncs the log, so a full disk fails that file's commit and rolls it
back as before; if the final checkpoint cannot complete, the run's committed
rows stay in the log (the next connection replays it) and the run says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from python_loaders.common.errors import UserError
from python_loaders.common.warehouse import connect, one_line
from python_loaders.ingestion import audit
from python_loaders.ingestion.spec import TableSpec
from python_loaders.ingestion.sql import run_sql

#: Write-ahead log size that triggers a checkpoint during a run (one at the end instead).
RUN_CHECKPOINT_THRESHOLD = "1GB"


class CheckpointFailed(duckdb.IOException):
    """The run's final checkpoint failed; every committed file stays in the write-ahead log."""


@contextmanager
def open_warehouse(
    path: Path, tables: Iterable[TableSpec], *, lock_timeout: float
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Connect, create raw schemas/tables and raw_meta, yield, checkpoint once, always close."""
    con = connect(path, lock_timeout=lock_timeout)
    try:
        try:
            run_sql(con, f"set checkpoint_threshold = '{RUN_CHECKPOINT_THRESHOLD}'")
            audit.create(con)
            for spec in tables:
                run_sql(con, f'create schema if not exists "{spec.schema}"')
                run_sql(con, spec.create_sql())
        except duckdb.Error as error:
            raise UserError(f"cannot prepare warehouse {path}: {one_line(error)}") from None
        yield con
        try:
            run_sql(con, "checkpoint")
        except duckdb.Error as error:
            raise CheckpointFailed(
                f"the final checkpoint failed ({one_line(error)}); the landed files are"
                " committed in the write-ahead log, which the next connection replays"
            ) from error
    finally:
        con.close()
