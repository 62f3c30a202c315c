"""Issue 8 point 9: no load row stays `running`.

A load killed outright (SIGKILL) cannot close its row: the next load closes it
as `interrupted` (the writer holds the lock, so no other load can be live).
SIGTERM and Ctrl-C (SIGINT) close it on the way out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from loader_helpers import PROJECT_DIR, invoice_line, load, query

PAUSED_LOAD = str(Path(__file__).with_name("paused_load.py"))
MARKER = "paused in the transaction of "  # paused_load.py


def _start_paused_load(sources: Path, warehouse: Path) -> subprocess.Popen[str]:
    """A real `load` subprocess, held inside a file's transaction (paused_load.py)."""
    proc = subprocess.Popen(
        [sys.executable, PAUSED_LOAD, "load", "--quiet",
         "--source-dir", str(sources), "--warehouse", str(warehouse)],
        cwd=PROJECT_DIR,
        env={**os.environ, "AAVAIL_LOADER_WORKERS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    line = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline() if proc.stderr else ""
        if line.startswith(MARKER) or not line:
            break
    if not line.startswith(MARKER):
        proc.kill()
        pytest.fail(f"loader never reached its transaction: {line!r}")
    return proc


def _sources(billing_dir) -> Path:
    return billing_dir({"a.json": [invoice_line(invoice="1")], "b.json": [invoice_line()]})


def test_a_killed_load_is_closed_as_interrupted_by_the_next_one(billing_dir, warehouse):
    sources = _sources(billing_dir)
    proc = _start_paused_load(sources, warehouse)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert query(warehouse, "select load_id, status from raw_meta.loads") == [(1, "running")]

    result = load(sources, warehouse)

    assert result.exit_code == 0 and result.closed_interrupted == [1]
    assert query(
        warehouse, "select load_id, status, finished_at is not null from raw_meta.loads order by 1"
    ) == [(1, "interrupted", True), (2, "succeeded", True)]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_closes_the_load_as_interrupted_on_the_way_out(
    signum, billing_dir, warehouse
):
    sources = _sources(billing_dir)
    proc = _start_paused_load(sources, warehouse)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)

    assert proc.returncode == 128 + signum
    assert "Traceback" not in stderr
    assert query(warehouse, "select status, finished_at is not null from raw_meta.loads") == [
        ("interrupted", True)
    ]
    assert query(warehouse, "select count(*) from raw_meta.files") == [(0,)]  # rolled back
    assert load(sources, warehouse).count("landed") == 2
