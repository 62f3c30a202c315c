"""Open the warehouse for landing: connect (common.warehouse), create raw tables and raw_meta."""

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


@contextmanager
def open_warehouse(
    path: Path, tables: Iterable[TableSpec], *, lock_timeout: float
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Connect, create raw schemas/tables and raw_meta, yield, and always close."""
    con = connect(path, lock_timeout=lock_timeout)
    try:
        try:
            audit.create(con)
            for spec in tables:
                run_sql(con, f'create schema if not exists "{spec.schema}"')
                run_sql(con, spec.create_sql())
        except duckdb.Error as error:
            raise UserError(f"cannot prepare warehouse {path}: {one_line(error)}") from None
        yield con
    finally:
        con.close()
