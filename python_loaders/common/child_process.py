"""Run a child process (dbt) so that stopping the parent stops the child too.

`run_child()` starts the command in its own process group and, while it runs,
forwards SIGTERM, SIGINT and SIGHUP received by this process to that group,
waits for the child and every process it started (dbt's multiprocessing
helper) to exit (SIGKILL after `STOP_GRACE_SECONDS`) and then raises
`Interrupted`: no orphan keeps writing to or locking the warehouse. Its
own process group means Ctrl-C in a terminal reaches the child once (through
the forwarding), not twice. `signals_interrupt()` turns the same signals into
`Interrupted` for work done in this process (the load), so its cleanup runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from python_loaders.common.errors import Interrupted

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_GRACE_SECONDS = 30.0
_POLL_SECONDS = 0.25


Handler = Callable[[int, FrameType | None], None]


@contextmanager
def _handling(handler: Handler) -> Iterator[None]:
    """Install `handler` for the forwarded signals (main thread only: elsewhere, do nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum in FORWARDED_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """Inside: SIGTERM, SIGINT and SIGHUP raise `Interrupted` (main thread only)."""
    with _handling(_raise_interrupted):
        yield


def _signal_group(pid: int, signum: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`, read from /proc.

    Without /proc (not Linux): [pgid] while the group exists, zombies included.
    """
    if not Path("/proc/self/stat").is_file():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _wait_group_gone(pgid: int, timeout: float) -> None:
    """Wait until the child's process group is empty; SIGKILL what is left after `timeout`."""
    deadline = time.monotonic() + timeout
    while group_members(pgid):
        if time.monotonic() >= deadline:
            _signal_group(pgid, signal.SIGKILL)
            return
        time.sleep(0.05)


def run_child(command: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> int:
    """Run `command` to its end and return its exit code; `Interrupted` if we were signalled."""
    received: list[int] = []
    kill_at: list[float] = []  # when the first signal's grace period ends
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        kill_at.append(time.monotonic() + STOP_GRACE_SECONDS)
        if child is not None:
            _signal_group(child.pid, signum)

    with _handling(forward):
        try:
            child = subprocess.Popen(list(command), cwd=cwd, env=dict(env), process_group=0)
            if received:  # arrived while the child was being started
                _signal_group(child.pid, received[0])
            while True:
                try:
                    code = child.wait(timeout=_POLL_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    if kill_at and time.monotonic() >= kill_at[0]:
                        _signal_group(child.pid, signal.SIGKILL)
            if received:
                _wait_group_gone(child.pid, max(kill_at[0] - time.monotonic(), 1.0))
        finally:
            if child is not None and child.poll() is None:  # only on an unexpected error
                _signal_group(child.pid, signal.SIGKILL)
                child.wait()
    if received:
        raise Interrupted(received[0])
    return code
