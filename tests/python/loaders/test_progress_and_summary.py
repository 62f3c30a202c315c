"""Guarantee 8: a bar per file on a terminal, silence otherwise, and a summary table."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from loader_helpers import PROJECT_DIR, invoice_line, run_cli


def _run_on_a_terminal(*args: str) -> str:
    """Run the CLI with stderr on a pseudo-terminal; return what it wrote there."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "python_loaders", *args],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
        stderr=secondary,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(primary)
    assert proc.returncode == 0
    return b"".join(chunks).decode(errors="replace")


def test_a_terminal_gets_one_progress_bar_per_file(billing_dir, tmp_path: Path):
    sources = billing_dir({"a.json": [invoice_line()], "b.json": [invoice_line(invoice="2")]})
    shown = _run_on_a_terminal(
        "load", "--source-dir", str(sources), "--warehouse", str(tmp_path / "w.duckdb")
    )
    assert "invoices/a.json" in shown and "invoices/b.json" in shown
    assert "landed" in shown


def test_quiet_or_no_terminal_means_no_bars(billing_dir, tmp_path: Path):
    sources = billing_dir({"a.json": [invoice_line()]})
    quiet = _run_on_a_terminal(
        "load", "--quiet", "--source-dir", str(sources), "--warehouse", str(tmp_path / "w.duckdb")
    )
    piped = run_cli("load", "--source-dir", str(sources), "--warehouse", str(tmp_path / "x.duckdb"))
    assert quiet == ""
    assert piped.returncode == 0 and piped.stderr == ""


def test_the_summary_counts_files_and_rows_per_source(billing_dir, tmp_path: Path):
    sources = billing_dir(
        {
            "a.json": [invoice_line(invoice=str(k)) for k in range(3)],
            "b.json": [invoice_line(), invoice_line(price="x")],
            "c.json": "not used",  # replaced below by broken bytes
        }
    )
    (sources / "invoices" / "c.json").write_text("{broken")
    (sources / "aavail-streams.csv").write_text(
        "customer_id,stream_id,date,invoice_item_id,subscription_stopped\n1,7,2018-01-01,1.0,0\n"
    )
    warehouse = str(tmp_path / "w.duckdb")
    run_cli("load", "--source-dir", str(sources), "--warehouse", warehouse)
    (sources / "invoices" / "d.json").write_text('[{"invoice": "9", "price": 1}]')

    done = run_cli("load", "--source-dir", str(sources), "--warehouse", warehouse)

    table = {
        line.split()[0]: line.split()[1:]
        for line in done.stdout.splitlines()
        if line.split() and line.split()[0] in {"streaming", "billing", "total"}
    }
    # columns: landed, skipped, rejected (files), rows landed, rows rejected
    assert table["streaming"] == ["0", "1", "0", "0", "0"]
    assert table["billing"] == ["1", "2", "1", "0", "1"]
    assert table["total"] == ["1", "3", "1", "0", "1"]
    assert "rejected file: invoices/c.json" in done.stdout
