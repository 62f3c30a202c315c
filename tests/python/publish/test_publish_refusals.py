"""`publish` refuses every build it must not publish, in one line, exit 1, nothing changed.

Cases: a killed build (its hooks recorded it as running; the green build in
target/ is no longer the warehouse's state), a failed build (see
test_publish_readers), no run_results.json, a last dbt command that is not a
build, a partial build. The published file of the shared runs never changes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_DIR, file_sha256


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
    env = {**runs.env, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")}
    return subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), *args],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_killed_build_blocks_publishing_the_green_build_before_it(publish_runs):
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
