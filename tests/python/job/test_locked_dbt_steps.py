"""The private warehouse held by another process: a bounded wait, then one line naming it.

The holder is a second real process with the warehouse open, as a writer
(another load or build) or as a reader holding it read-only (a notebook): both
block a DuckDB writer. Covered: `run`'s dbt steps (checked before dbt starts),
a bare `dbt build` (the dbt-duckdb plugin in profiles.yml), and `load`'s line
(no DuckDB hint about read-only mode in it).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from job_helpers import DBT, PROJECT_DIR, cli, job_env, run_process

from python_loaders.common.errors import UserError
from python_loaders.job.pipeline import JobOptions, main_job_steps

HINTS = ("read-only mode", "See also", "However", "duckdb.org")


def _dbt_step(name: str):
    """The step named `name` of the main job, as `run` runs it."""
    steps = {step.name: step for step in main_job_steps()}
    return steps[name]


@pytest.mark.parametrize("read_only", [True, False], ids=["reader", "writer"])
def test_a_dbt_step_of_run_waits_then_names_the_holder_before_starting_dbt(
    read_only: bool, hold_warehouse, loaded_warehouse: Path, job_root: Path, capfd, monkeypatch
):
    for key, value in job_env(job_root, loaded_warehouse).items():
        monkeypatch.setenv(key, value)
    job = JobOptions(
        project=PROJECT_DIR,
        source_dir=job_root,
        warehouse=loaded_warehouse,
        quiet=True,
        lock_timeout=1.5,
    )
    with hold_warehouse(loaded_warehouse, read_only=read_only) as holder:
        started = time.monotonic()
        with pytest.raises(UserError) as raised:
            _dbt_step("dbt build").run(job)
        waited = time.monotonic() - started

    error = raised.value
    assert error.exit_code == 3
    line = str(error)
    assert "\n" not in line
    assert f"PID {holder.pid}" in line and str(loaded_warehouse) in line
    assert not any(hint in line for hint in HINTS), line
    assert 1.5 <= waited < 15
    assert "$ dbt build" not in capfd.readouterr().out  # dbt was never started


def test_a_bare_dbt_build_on_a_held_warehouse_fails_in_one_clear_line(
    hold_warehouse, loaded_warehouse: Path, job_root: Path
):
    """A notebook holding the file read-only (a writer holder: the run-step test above)."""
    env = job_env(job_root, loaded_warehouse, AAVAIL_LOCK_TIMEOUT="1")
    with hold_warehouse(loaded_warehouse, read_only=True) as holder:
        started = time.monotonic()
        done = run_process([DBT, "build"], env)
        waited = time.monotonic() - started

    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "Traceback" not in output, output[-3000:]
    named = [line for line in output.splitlines() if f"PID {holder.pid}" in line]
    assert len(named) == 1, output[-3000:]
    assert "is locked by" in named[0] and "AAVAIL_LOCK_TIMEOUT" in named[0]
    assert not any(hint in output for hint in HINTS)
    assert waited >= 1
    assert " START " not in output  # no node ran


@pytest.mark.parametrize("read_only", [True, False], ids=["reader", "writer"])
def test_load_names_the_holder_without_duckdbs_read_only_hint(
    read_only: bool, hold_warehouse, tiny_sources: Path, tmp_path: Path
):
    warehouse = tmp_path / "wh.duckdb"
    duckdb.connect(str(warehouse)).close()  # the file must exist for a reader to hold it
    with hold_warehouse(warehouse, read_only=read_only) as holder:
        done = run_process(
            cli(
                "load",
                *("--source-dir", str(tiny_sources), "--warehouse", str(warehouse)),
                *("--lock-timeout", "0.5", "--quiet"),
            ),
            job_env(tmp_path, warehouse),
        )
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"PID {holder.pid}" in lines[0]
    assert not any(hint in lines[0] for hint in HINTS), lines[0]
