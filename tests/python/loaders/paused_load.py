"""`python paused_load.py ARGS...`: the real `python -m python_loaders ARGS...`, held mid-file.

For the kill and signal tests. This process replaces `audit.record_landed`
(the last write inside each file's transaction, before its commit) with one
that writes the row, prints `paused in the transaction of <file>` on stderr
and then keeps the transaction busy with real DuckDB queries on the same
connection until the run is stopped. A test can then SIGKILL the process with
the transaction open, or send SIGTERM / Ctrl-C: the loader's own signal
handling stops the run (`_Run.interrupt_all` interrupts the query in flight;
this driver only notices that it was called). Nothing in the loader knows
about tests.
"""

from __future__ import annotations

import sys
import threading

import duckdb

from python_loaders import cli
from python_loaders.ingestion import audit, loading

MARKER = "paused in the transaction of "
_SHORT_QUERY = "select sum(i) from range(5000000) t(i)"  # a few ms, interruptible

_stopped = threading.Event()
_record_landed = audit.record_landed
_interrupt_all = loading._Run.interrupt_all


def _record_landed_then_hold(con: duckdb.DuckDBPyConnection, **row: object) -> None:
    _record_landed(con, **row)  # type: ignore[arg-type]
    print(f"{MARKER}{row['file_path']}", file=sys.stderr, flush=True)
    while not _stopped.is_set():
        con.execute(_SHORT_QUERY).fetchall()


def _note_stop_then_interrupt_all(run: loading._Run) -> None:
    _stopped.set()
    _interrupt_all(run)


audit.record_landed = _record_landed_then_hold  # type: ignore[assignment]
loading._Run.interrupt_all = _note_stop_then_interrupt_all  # type: ignore[method-assign]

if __name__ == "__main__":
    raise SystemExit(cli.main(sys.argv[1:]))
