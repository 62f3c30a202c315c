"""`run_child`: a signal to us stops the child's whole process group, even a stubborn one.

Real child processes; the signal is sent to this (the test's) process, as a
service manager would send it to `run`, while `run_child` waits.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from python_loaders.common import child_process
from python_loaders.common.child_process import group_members, run_child
from python_loaders.common.errors import Interrupted

IGNORE_TERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _signal_us_when(ready: Path, signum: int) -> threading.Thread:
    """Send `signum` to this process once the child has written `ready`."""

    def wait_then_signal() -> None:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signum)

    thread = threading.Thread(target=wait_then_signal, daemon=True)
    thread.start()
    return thread


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(child_process, "STOP_GRACE_SECONDS", 1.0)
    ready = tmp_path / "ready"
    code = IGNORE_TERM + f"open({str(ready)!r}, 'w').close(); time.sleep(120)"
    _signal_us_when(ready, signal.SIGTERM)

    started = time.monotonic()
    with pytest.raises(Interrupted) as stopped:
        run_child([sys.executable, "-c", code], cwd=tmp_path, env=os.environ)

    assert stopped.value.exit_code == 128 + signal.SIGTERM
    assert 1.0 <= time.monotonic() - started < 30


def test_processes_the_child_started_are_stopped_too(tmp_path: Path, monkeypatch):
    """The child exits on SIGTERM at once; a grandchild that ignores it is killed as well."""
    monkeypatch.setattr(child_process, "STOP_GRACE_SECONDS", 1.0)
    ready, pids = tmp_path / "ready", tmp_path / "pids"
    grandchild = IGNORE_TERM + (
        f"import os\nwhile not os.path.exists({str(pids)!r}): time.sleep(0.01)\n"
        f"open({str(ready)!r}, 'w').close(); time.sleep(120)"
    )
    code = (
        "import os, subprocess, sys, time;"
        f" p = subprocess.Popen([sys.executable, '-c', {grandchild!r}]);"
        f" open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{p.pid}}'); time.sleep(120)"
    )
    _signal_us_when(ready, signal.SIGHUP)

    with pytest.raises(Interrupted) as stopped:
        run_child([sys.executable, "-c", code], cwd=tmp_path, env=os.environ)

    assert stopped.value.signal_name == "SIGHUP"
    child, grandchild = (int(pid) for pid in pids.read_text().split())
    deadline = time.monotonic() + 5  # SIGKILL is delivered asynchronously
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)
    assert group_members(child) == []  # the child's process group is empty


def test_without_a_signal_the_exit_code_is_the_childs(tmp_path: Path):
    code = run_child([sys.executable, "-c", "raise SystemExit(7)"], cwd=tmp_path, env=os.environ)
    assert code == 7
