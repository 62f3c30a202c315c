"""A signal to `run` stops its dbt child too: no orphan keeps writing or holding the lock.

A real `run` subprocess on tiny sources; once it has started `dbt build` and
its dbt child (python_loaders.job.dbt_worker, every dbt step of the run) holds
the warehouse, the signal goes to `run` only (as `kill PID` or a service
manager sends it). `run` must forward it, wait for dbt and exit 128 + the signal with
one line; afterwards the dbt process is gone and the warehouse opens read-write.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from job_helpers import PROJECT_DIR, cli, job_env

from python_loaders.common.child_process import group_members


def _children(pid: int) -> list[int]:
    """PIDs whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


def _is_dbt(pid: int) -> bool:
    try:
        argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"python_loaders.job.dbt_worker" in argv


def _alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _held_by(warehouse: Path, pid: int) -> bool:
    try:
        duckdb.connect(str(warehouse), read_only=True).close()
    except duckdb.Error as error:
        return f"PID {pid}" in str(error)
    return False


def _wait_for_dbt_holding(run: subprocess.Popen[str], output: Path, warehouse: Path) -> int:
    """The PID of `run`'s dbt child, once `run` started `dbt build` and the child holds the
    warehouse."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if run.poll() is not None:
            pytest.fail(f"run ended (exit {run.returncode}) before dbt held the warehouse")
        if "$ dbt build" in output.read_text(errors="replace"):
            for pid in _children(run.pid):
                if _is_dbt(pid) and _held_by(warehouse, pid):
                    return pid
        time.sleep(0.1)
    pytest.fail("dbt never held the warehouse")


# SIGHUP takes the same path (and is covered with real processes in test_child_process.py).
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_run_stops_its_dbt_child_and_frees_the_warehouse(
    signum: signal.Signals, tiny_sources: Path, job_root: Path, job_warehouse: Path, tmp_path: Path
):
    warehouse = job_warehouse
    output = tmp_path / "run.out"
    with output.open("w") as stdout:
        run = subprocess.Popen(
            cli("run", "--source-dir", str(tiny_sources), "--warehouse", str(warehouse), "--quiet"),
            cwd=PROJECT_DIR,
            env=job_env(job_root, warehouse),
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
        )
    try:
        dbt_pid = _wait_for_dbt_holding(run, output, warehouse)
        os.kill(run.pid, signum)
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()

    assert run.returncode == 128 + signum
    assert not _alive(dbt_pid), "dbt survived run as an orphan"
    assert group_members(dbt_pid) == [], "a process dbt started survived run"
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert errors[0].startswith(f"error: interrupted by {signum.name} during step `dbt build`")
    duckdb.connect(str(warehouse)).close()  # nobody holds it any more
