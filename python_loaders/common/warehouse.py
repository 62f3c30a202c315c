"""Open the warehouse for writing: bounded wait on a lock, one-line errors.

DuckDB allows one writing process per file, and a reader holding the file
read-only blocks a writer too. When another process holds it, `connect()`
retries until `lock_timeout` seconds have passed and then raises a `UserError`
naming the holder (program and PID, taken from DuckDB's lock message without
its read-only-mode hint). `wait_until_free()` is the same wait without keeping
the connection: the main job runs it before each dbt step, and dbt itself runs
it through the `python_loaders.job.dbt_lock_plugin` plugin named in profiles.yml.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import duckdb

from python_loaders.common.errors import UserError

EXIT_LOCKED = 3
# "... Conflicting lock is held in /usr/bin/python3 (PID 42) [by user u]. However, you would
# be able to open this database in read-only mode ... See also https://..."
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<holder>.*?\(PID \d+\)|.*?(?=\. |\.?$))")
_RETRY_SECONDS = 0.2


def memory_limit() -> str:
    """DuckDB memory budget of the loader ($AAVAIL_LOADER_MEMORY_LIMIT, default 1GB)."""
    return os.environ.get("AAVAIL_LOADER_MEMORY_LIMIT", "1GB")


def one_line(error: BaseException) -> str:
    """The first line of an error message (DuckDB adds hints on later lines)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def lock_holder(error: BaseException) -> str | None:
    """The process holding the file ("/usr/bin/python3 (PID 42)") named in a lock error, if any."""
    found = _LOCK_HOLDER.search(str(error))
    return found.group("holder").strip() if found else None


def connect(
    path: Path, *, lock_timeout: float, timeout_option: str = "--lock-timeout"
) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the warehouse file, creating its folder when needed.

    `timeout_option` names the setting that raises the wait, for the lock message.
    """
    path = path.expanduser()
    if path.is_dir():
        raise UserError(f"warehouse {path} is a directory, not a DuckDB file")
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
            holder = lock_holder(error)
            if holder is None and "lock" not in str(error).lower():
                raise UserError(f"cannot open warehouse {path}: {one_line(error)}") from None
            if time.monotonic() >= deadline:
                who = holder or "another process"
                raise UserError(
                    f"warehouse {path} is locked by {who}; gave up after {lock_timeout:g}s"
                    f" (wait for it to finish or raise {timeout_option})",
                    exit_code=EXIT_LOCKED,
                ) from None
            time.sleep(_RETRY_SECONDS)


def wait_until_free(
    path: Path, *, lock_timeout: float, timeout_option: str = "--lock-timeout"
) -> None:
    """Wait (bounded) until no other process holds the warehouse; `UserError` naming it if not."""
    connect(path, lock_timeout=lock_timeout, timeout_option=timeout_option).close()
