"""Issue 8 point 7: a full disk under the warehouse gives one line per file, the summary,
the load row closed as failed and every file landed before intact; after space is
freed a rerun lands the rest. Uses a real, small tmpfs (needs root, as in CI)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from loader_helpers import invoice_line, query, run_cli, write_json


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for this test only."""
    if os.geteuid() != 0:
        pytest.fail("the disk-full test mounts a tmpfs and needs root (CI runs as root)")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _big_month(path: Path, month: int) -> None:
    records = [
        invoice_line(
            invoice=str(100000 + k),
            stream_id=f"s{k * 7919 % 100003}",
            price=k * 0.37,
            customer_id=float(k),
            month=f"{month:02d}",
        )
        for k in range(30_000)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records))


def test_a_full_disk_is_one_line_per_file_and_keeps_what_landed(small_disk, tmp_path):
    sources = tmp_path / "src"
    write_json(sources / "invoices" / "a.json", [invoice_line(invoice=str(k)) for k in range(10)])
    warehouse = small_disk / "warehouse.duckdb"
    args = ("load", "--quiet", "--source-dir", str(sources), "--warehouse", str(warehouse))
    assert run_cli(*args).returncode == 0
    for month in range(1, 3):
        _big_month(sources / "invoices" / f"big-{month}.json", month)

    full = run_cli(*args, env={"AAVAIL_LOADER_WORKERS": "1"})

    assert full.returncode == 1
    assert "Traceback" not in full.stderr, full.stderr
    assert full.stderr.count("\n") == 1 and full.stderr.startswith("error: ")
    assert "load 2:" in full.stdout  # the summary is printed
    rejected = [line for line in full.stdout.splitlines() if line.startswith("rejected file:")]
    assert rejected and all("No space left on device" in line for line in rejected)
    assert all("transient" in line and "rerun to retry" in line for line in rejected)
    assert query(
        warehouse, "select count(*) from raw_billing.invoice_lines where _source_file = $1",
        ["invoices/a.json"],
    ) == [(10,)]  # fmt: skip

    subprocess.run(["mount", "-o", "remount,size=200m", str(small_disk)], check=True)
    rerun = run_cli(*args)

    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert query(warehouse, "select status from raw_meta.loads order by load_id")[1:] in (
        [("failed",), ("succeeded",)],
        [("interrupted",), ("succeeded",)],
    )
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(60_010,)]
