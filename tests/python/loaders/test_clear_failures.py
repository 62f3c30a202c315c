"""Guarantee 5: clear failures: one line, no traceback, meaningful exit codes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from loader_helpers import PROJECT_DIR, invoice_line, load, query, run_cli, write_json


def _one_clean_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def _start_lock_holder(warehouse: Path, then: str) -> subprocess.Popen[str]:
    """A second process holding the warehouse's write lock; `then` is run after it says ready."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]);"
            f" print('ready', flush=True); {then}",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    if holder.stdout is None or holder.stdout.readline().strip() != "ready":
        holder.kill()
        holder.wait()
        pytest.fail("the lock-holding process did not start")
    return holder


def test_a_locked_warehouse_waits_then_names_the_lock_holder(billing_dir, warehouse: Path):
    sources = billing_dir({"a.json": [invoice_line()]})
    warehouse.parent.mkdir(parents=True)
    holder = _start_lock_holder(warehouse, "time.sleep(60)")
    try:
        started = time.monotonic()
        done = run_cli(
            "load",
            "--source-dir",
            str(sources),
            "--warehouse",
            str(warehouse),
            "--lock-timeout",
            "1.5",
        )
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()

    assert done.returncode == 3
    line = _one_clean_line(done.stderr)
    assert f"PID {holder.pid}" in line
    assert "locked" in line and str(warehouse) in line
    assert waited >= 1.5
    # Once the holder is gone the same command lands the file.
    assert (
        run_cli("load", "--source-dir", str(sources), "--warehouse", str(warehouse)).returncode == 0
    )


def test_the_lock_wait_succeeds_when_the_holder_finishes_in_time(billing_dir, warehouse: Path):
    sources = billing_dir({"a.json": [invoice_line()]})
    warehouse.parent.mkdir(parents=True)
    holder = _start_lock_holder(warehouse, "time.sleep(1); con.close(); time.sleep(30)")
    try:
        done = run_cli(
            "load",
            "--source-dir",
            str(sources),
            "--warehouse",
            str(warehouse),
            "--lock-timeout",
            "20",
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["load"], "--source-dir"),
        (["load", "--source-dir", "x", "--max-reject-rate", "2"], "--max-reject-rate"),
        (["load", "--source-dir", "x", "--max-reject-rate", "lots"], "--max-reject-rate"),
        (["load", "--source-dir", "x", "--lock-timeout", "-1"], "--lock-timeout"),
        (["load", "--source-dir", "x", "--no-such-option"], "--no-such-option"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_arguments_fail_in_one_line(args, expected):
    done = run_cli(*args)
    assert done.returncode == 2
    assert expected in _one_clean_line(done.stderr)


def test_a_missing_source_dir_fails_in_one_line(tmp_path: Path, warehouse: Path):
    missing = tmp_path / "nowhere"
    done = run_cli("load", "--source-dir", str(missing), "--warehouse", str(warehouse))
    assert done.returncode == 2
    assert str(missing) in _one_clean_line(done.stderr)
    assert not warehouse.exists()


def test_a_source_dir_without_source_files_fails_in_one_line(tmp_path: Path, warehouse: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "notes.txt").write_text("nothing to load")
    done = run_cli("load", "--source-dir", str(tmp_path / "src"), "--warehouse", str(warehouse))
    assert done.returncode == 2
    assert "no source files" in _one_clean_line(done.stderr)


@pytest.mark.parametrize("case", ["under_a_file", "is_a_directory", "not_a_duckdb_file"])
def test_an_unusable_warehouse_fails_in_one_line(case, billing_dir, tmp_path: Path):
    sources = billing_dir({"a.json": [invoice_line()]})
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    target = {
        "under_a_file": blocker / "warehouse.duckdb",
        "is_a_directory": tmp_path,
        "not_a_duckdb_file": blocker,
    }[case]
    done = run_cli("load", "--source-dir", str(sources), "--warehouse", str(target))
    assert done.returncode == 2
    assert "warehouse" in _one_clean_line(done.stderr)


def test_exit_codes_follow_rejected_files_and_the_reject_rate(billing_dir, tmp_path: Path):
    good = [invoice_line(invoice=str(k)) for k in range(9)]
    sources = billing_dir({"a.json": [*good, invoice_line(price="n/a")]})  # 1 of 10 rejected

    strict = run_cli(
        "load", "--quiet", "--source-dir", str(sources), "--warehouse", str(tmp_path / "w1.duckdb")
    )
    lenient = run_cli(
        "load",
        "--quiet",
        "--source-dir",
        str(sources),
        "--warehouse",
        str(tmp_path / "w2.duckdb"),
        "--max-reject-rate",
        "0.1",
    )

    assert strict.returncode == 1
    assert "10.00%" in _one_clean_line(strict.stderr)
    assert lenient.returncode == 0 and lenient.stderr == ""
    (sources / "invoices" / "broken.json").write_text("[{")
    broken = run_cli(
        "load",
        "--quiet",
        "--source-dir",
        str(sources),
        "--warehouse",
        str(tmp_path / "w2.duckdb"),
        "--max-reject-rate",
        "0.1",
    )
    assert broken.returncode == 1
    assert "1 file(s) rejected" in _one_clean_line(broken.stderr)
    # The skipped file counts as fine; the summary says what happened.
    assert "billing" in broken.stdout and "rejected file: invoices/broken.json" in broken.stdout


def test_the_load_row_records_failure_and_success(billing_dir, warehouse: Path):
    sources = billing_dir({"a.json": [invoice_line()]})
    load(sources, warehouse)
    (sources / "invoices" / "b.json").write_text("not json")
    load(sources, warehouse)
    assert query(
        warehouse,
        "select load_id, status, files_landed, files_skipped, files_rejected"
        " from raw_meta.loads order by 1",
    ) == [
        (1, "succeeded", 1, 0, 0),
        (2, "failed", 0, 1, 1),
    ]
    assert PROJECT_DIR.is_dir()
    write_json(sources / "invoices" / "b.json", [invoice_line(invoice="b1")])
    assert load(sources, warehouse).exit_code == 0
