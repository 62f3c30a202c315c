"""Guarantee 2: a process killed inside a file's transaction leaves no trace of that file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from loader_helpers import (
    PROJECT_DIR,
    RAW_TABLES,
    count_records,
    invoice_line,
    load,
    query,
    snapshot,
    write_json,
)

PAUSED_LOAD = str(Path(__file__).with_name("paused_load.py"))
MARKER = "paused in the transaction of "  # paused_load.py


def _load_and_kill_in_transaction(sources: Path, warehouse: Path) -> str:
    """Start a real `load` held inside its first transaction (paused_load.py), SIGKILL it there."""
    proc = subprocess.Popen(
        [
            sys.executable,
            PAUSED_LOAD,
            "load",
            "--quiet",
            "--source-dir",
            str(sources),
            "--warehouse",
            str(warehouse),
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            line = proc.stderr.readline() if proc.stderr else ""
            if line.startswith(MARKER) or not line:
                break
        assert line.startswith(MARKER), f"loader never reached its transaction: {line!r}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        return line[len(MARKER) :].strip()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kill_during_first_load_leaves_an_empty_warehouse_then_next_run_lands_all(
    sources: Path, warehouse: Path
):
    expected = count_records(sources)
    interrupted = _load_and_kill_in_transaction(sources, warehouse)

    assert interrupted in expected  # a file was inside its transaction (several may be)
    assert all(rows == [] for rows in snapshot(warehouse).values())
    assert query(warehouse, "select count(*) from raw_meta.files") == [(0,)]
    assert query(warehouse, "select status from raw_meta.loads") == [("running",)]

    result = load(sources, warehouse)

    assert result.count("landed") == len(expected) and result.exit_code == 0
    landed = dict(query(warehouse, "select file_path, rows_landed from raw_meta.files"))
    assert landed == expected


def test_kill_while_replacing_a_changed_file_keeps_the_previous_version(
    sources: Path, warehouse: Path
):
    load(sources, warehouse)
    before = snapshot(warehouse)
    files_before = query(warehouse, "select * from raw_meta.files order by file_path")
    target = sources / "invoices" / "invoices-2017-11.json"
    records = json.loads(target.read_text())
    write_json(target, [*records, invoice_line(invoice="999999")])

    interrupted = _load_and_kill_in_transaction(sources, warehouse)

    assert interrupted == "invoices/invoices-2017-11.json"
    assert snapshot(warehouse) == before
    assert query(warehouse, "select * from raw_meta.files order by file_path") == files_before

    result = load(sources, warehouse)

    assert result.count("landed") == 1
    rows = query(
        warehouse,
        "select count(*), max(_source_row) from raw_billing.invoice_lines"
        " where _source_file = 'invoices/invoices-2017-11.json'",
    )
    assert rows == [(len(records) + 1, len(records) + 1)]
    assert set(RAW_TABLES) == set(snapshot(warehouse))
