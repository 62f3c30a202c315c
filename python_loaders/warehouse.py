"""Open the warehouse for writing: bounded wait on a lock, one-line errors, raw schemas.

DuckDB allows one writing process per file. When another process holds it,
`connect()` retries until `lock_timeout` seconds have passed and then raises a
`UserError` naming the holder (DuckDB's lock message carries its program and PID).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from python_loaders import audit
from python_loaders.errors import UserError
from python_loaders.landing import TableSpec, run_sql

EXIT_LOCKED = 3
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<holder>.*?)(?:\. See also|$)")
_RETRY_SECONDS = 0.2


def memory_limit() -> str:
    """DuckDB memory budget of the loader ($AAVAIL_LOADER_MEMORY_LIMIT, default 1GB)."""
    return os.environ.get("AAVAIL_LOADER_MEMORY_LIMIT", "1GB")


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def connect(path: Path, *, lock_timeout: float) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the warehouse file, creating its folder when needed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(
            f"cannot create the warehouse folder {path.parent}: {error.strerror}"
        ) from None
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    config = {"memory_limit": memory_limit(), "preserve_insertion_order": True}
    while True:
        try:
            return duckdb.connect(str(path), config=config)
        except duckdb.Error as error:
            message = str(error)
            holder = _LOCK_HOLDER.search(message)
            if holder is None and "lock" not in message.lower():
                raise UserError(f"cannot open warehouse {path}: {_one_line(error)}") from None
            if time.monotonic() >= deadline:
                who = holder.group("holder").strip() if holder else "another process"
                raise UserError(
                    f"warehouse {path} is locked by {who}; gave up after {lock_timeout:g}s"
                    " (wait for it to finish or raise --lock-timeout)",
                    exit_code=EXIT_LOCKED,
                ) from None
            time.sleep(_RETRY_SECONDS)


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
            raise UserError(f"cannot prepare warehouse {path}: {_one_line(error)}") from None
        yield con
    finally:
        con.close()
