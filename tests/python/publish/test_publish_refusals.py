"""`publish` refuses every build it must not publish, in one line, exit 1, nothing changed.

Cases: a killed build (its hooks recorded it as running; the green build in
target/ is no longer the warehouse's state), a failed build (see
test_publish_readers), no run_results.json, a last dbt command that is not a
build, a partial build; and a warehouse held by a writer (bounded wait, exit 3).
The published file of the shared runs never changes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from publish_helpers import DBT, PROJECT_DIR, dbt_env, file_sha256


def _one_refusal_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: nothing published: ")
    return lines[0]


def _publish(runs, target: Path, analytics: Path | None = None) -> subprocess.CompletedProcess:
    assert runs.cli is not None
    return runs.cli(
        "publish", "--warehouse", str(runs.warehouse),
        "--analytics", str(analytics or runs.analytics), "--target-dir", str(target),
    )  # fmt: skip


def _dbt(runs, target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DBT), *args], cwd=PROJECT_DIR, env=dbt_env(runs.env, target),
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_killed_build_blocks_publishing_the_green_build_before_it(publish_runs):
    control = publish_runs.publish_control  # the same green build, before the kill: publishable
    assert control is not None and control.returncode == 0, control.stderr
    assert control.stdout.startswith("published dbt build")
    line = _one_refusal_line(publish_runs.publish_after_kill)
    assert "latest dbt command is `dbt build`" in line and "(running)" in line
    assert not publish_runs.killed_analytics.exists()


def test_no_run_results_publishes_nothing(publish_runs, tmp_path):
    before = file_sha256(publish_runs.analytics)
    line = _one_refusal_line(_publish(publish_runs, tmp_path / "empty-target"))
    assert "no dbt run_results.json" in line
    assert file_sha256(publish_runs.analytics) == before


def test_a_last_dbt_command_that_is_not_a_build_publishes_nothing(publish_runs, tmp_path):
    target = tmp_path / "target"
    operation = _dbt(publish_runs, target, "run-operation", "as_of_date")
    assert operation.returncode == 0, operation.stdout[-2000:]
    before = file_sha256(publish_runs.analytics)
    line = _one_refusal_line(_publish(publish_runs, target))
    assert "was `dbt run-operation`, not `dbt build`" in line
    assert file_sha256(publish_runs.analytics) == before


def test_a_partial_build_publishes_nothing(publish_runs, tmp_path):
    target = tmp_path / "target"
    partial = _dbt(publish_runs, target, "build", "--select", "stg_crm__plans")
    assert partial.returncode == 0, partial.stdout[-2000:]
    before = file_sha256(publish_runs.analytics)
    line = _one_refusal_line(_publish(publish_runs, target, publish_runs.root / "p" / "a.duckdb"))
    assert "did not build" in line and "published model(s)" in line
    assert file_sha256(publish_runs.analytics) == before
    assert not (publish_runs.root / "p" / "a.duckdb").exists()


HOLD = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_warehouse_held_by_a_writer_waits_then_ends_in_one_line(publish_runs, tmp_path):
    # the green build of the shared runs is publishable, but another process writes
    green_target = publish_runs.root / "green-build" / "target"
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(publish_runs.warehouse)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
        assert publish_runs.cli is not None
        done = publish_runs.cli(
            "publish", "--warehouse", str(publish_runs.warehouse), "--lock-timeout", "1",
            "--analytics", str(tmp_path / "a.duckdb"), "--target-dir", str(green_target),
        )  # fmt: skip
    finally:
        writer.kill()
        writer.wait()
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "is locked by" in lines[0] and str(writer.pid) in lines[0]
    assert not (tmp_path / "a.duckdb").exists()
