"""`python paused_load.py ARGS...`: the real `python -m python_loaders ARGS...`, held mid-file.

For the kill and signal tests. This process replaces `audit.record_landed`
(the last write inside each file's transaction, before its commit) with one
that writes the row, prints `paused in the transaction of <file>` on stderr
and then runs a long real DuckDB query on the same connection, inside the
same transaction. A test can then SIGKILL the process with the transaction
open, or send SIGTERM / Ctrl-C: the loader interrupts that query like any
other in-flight statement. Nothing in the loader knows about tests.
"""

from __future__ import annotations

import sys

import duckdb

from python_loaders import cli
from python_loaders.ingestion import audit

MARKER = "paused in the transaction of "
# Never finishes in a test's lifetime; interruptible like any query.
_LONG_QUERY = "select sum(i) from range(1000000000000000) t(i)"

_record_landed = audit.record_landed


def _record_landed_then_hold(con: duckdb.DuckDBPyConnection, **row: object) -> None:
    _record_landed(con, **row)  # type: ignore[arg-type]
    print(f"{MARKER}{row['file_path']}", file=sys.stderr, flush=True)
    con.execute(_LONG_QUERY).fetchall()


audit.record_landed = _record_landed_then_hold  # type: ignore[assignment]

if __name__ == "__main__":
    raise SystemExit(cli.main(sys.argv[1:]))
