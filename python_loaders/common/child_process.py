"""Run a child process (dbt) so that stopping the parent stops the child too.

`ChildSession` starts a command in its own process group; `request()` sends it
one line on its stdin and waits for its one-line answer (an exit code) on the
pipe named by $CHILD_REPLY_FD, so one child can run several commands (the main
job's dbt steps share one dbt process: python_loaders.job.dbt_worker).
`run_child()` runs a command to its end. While either waits, SIGTERM, SIGINT
and SIGHUP received by this process are forwarded to the child's group; then
it waits for the child and every process it started (dbt's multiprocessing
helper) to exit (SIGKILL after `STOP_GRACE_SECONDS`) and raises `Interrupted`:
no orphan keeps writing to or locking the warehouse. Its own process group
means Ctrl-C in a terminal reaches the child once (through the forwarding), not
twice. `signals_interrupt()` turns the same signals into `Interrupted` for work
done in this process (the load), so its cleanup runs.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import IO

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


REPLY_FD_VARIABLE = "CHILD_REPLY_FD"


class ChildSession:
    """A child process in its own process group, answering one request line at a time.

    Started at the first `request()` (or `finish()`). The child reads a request
    per line from its stdin and answers each with one line, its exit code, on
    the file descriptor $CHILD_REPLY_FD; its stdout and stderr are ours. Use it
    as a context manager: leaving normally ends its stdin and waits for it,
    leaving on an exception stops its whole process group.
    """

    def __init__(
        self, command: Sequence[str], *, cwd: Path, env: Mapping[str, str], requests: bool = True
    ) -> None:
        self._command = list(command)
        self._cwd = cwd
        self._env = dict(env)
        self._requests = requests  # False: the child gets our stdin and is only waited for
        self._child: subprocess.Popen[str] | None = None
        self._replies: IO[str] | None = None
        self._received: list[int] = []
        self._kill_at: list[float] = []  # when the first signal's grace period ends
        self.exit_code: int | None = None  # once the child has ended

    @property
    def pid(self) -> int | None:
        """The child's PID (and process group), None before it started."""
        return None if self._child is None else self._child.pid

    def _forward(self, signum: int, _frame: FrameType | None) -> None:
        self._received.append(signum)
        self._kill_at.append(time.monotonic() + STOP_GRACE_SECONDS)
        if self._child is not None:
            _signal_group(self._child.pid, signum)

    def _start(self) -> subprocess.Popen[str]:
        if self._child is not None:
            return self._child
        if not self._requests:
            self._child = subprocess.Popen(
                self._command, cwd=self._cwd, env=self._env, process_group=0, text=True
            )
        else:
            read_end, write_end = os.pipe()
            try:
                self._child = subprocess.Popen(
                    self._command,
                    cwd=self._cwd,
                    env={**self._env, REPLY_FD_VARIABLE: str(write_end)},
                    stdin=subprocess.PIPE,
                    process_group=0,
                    pass_fds=(write_end,),
                    text=True,
                )
            except BaseException:
                os.close(read_end)
                raise
            finally:
                os.close(write_end)
            self._replies = os.fdopen(read_end, "r", encoding="utf-8")
        if self._received:  # arrived while the child was being started
            _signal_group(self._child.pid, self._received[0])
        return self._child

    def _wait(self, child: subprocess.Popen[str], *, for_reply: bool) -> str | None:
        """The child's next reply line, or None once it has exited (then `exit_code` is set)."""
        while True:
            if for_reply and self._replies is not None:
                ready, _, _ = select.select([self._replies], [], [], _POLL_SECONDS)
                if ready:
                    line = self._replies.readline()
                    if line:
                        return line
                    for_reply = False  # end of the pipe: the child is ending
            else:
                try:
                    self.exit_code = child.wait(timeout=_POLL_SECONDS)
                    return None
                except subprocess.TimeoutExpired:
                    pass
            if self._kill_at and time.monotonic() >= self._kill_at[0]:
                _signal_group(child.pid, signal.SIGKILL)

    def _stopped(self, child: subprocess.Popen[str]) -> Interrupted:
        """After a signal: end the child's stdin, wait until its group is gone."""
        self._close_stdin(child)
        if self.exit_code is None:
            self._wait(child, for_reply=False)
        _wait_group_gone(child.pid, max(self._kill_at[0] - time.monotonic(), 1.0))
        return Interrupted(self._received[0])

    @staticmethod
    def _close_stdin(child: subprocess.Popen[str]) -> None:
        if child.stdin is not None and not child.stdin.closed:
            with suppress(OSError):
                child.stdin.close()

    def request(self, line: str) -> int:
        """Send `line`; the child's answer (an exit code), or its exit code if it ended first."""
        if self.exit_code is not None:
            return self.exit_code
        with _handling(self._forward):
            try:
                child = self._start()
                reply = None
                if not self._received and child.stdin is not None:
                    try:
                        child.stdin.write(line + "\n")
                        child.stdin.flush()
                        reply = self._wait(child, for_reply=True)
                    except BrokenPipeError:  # it had ended
                        reply = self._wait(child, for_reply=False)
                if self._received:
                    raise self._stopped(child)
            except BaseException:
                self._kill()
                raise
        if reply is None:
            return self.exit_code if self.exit_code is not None else 1
        return int(reply)

    def finish(self) -> int:
        """End the child's stdin and wait for it to exit; its exit code."""
        if self.exit_code is not None:
            return self.exit_code
        with _handling(self._forward):
            try:
                child = self._start()
                if not self._received:
                    self._close_stdin(child)
                    self._wait(child, for_reply=False)
                if self._received:
                    raise self._stopped(child)
            except BaseException:
                self._kill()
                raise
        return self.exit_code if self.exit_code is not None else 1

    def _kill(self) -> None:
        """Only on an unexpected error (or a signal): leave nothing of the child running."""
        child = self._child
        if child is not None and child.poll() is None:
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()
        if child is not None:
            self._close_stdin(child)
            self.exit_code = child.returncode
        if self._replies is not None:
            self._replies.close()

    def __enter__(self) -> ChildSession:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *_: object) -> None:
        if self._child is None:
            return
        if error_type is None:
            self.finish()
        else:
            self._kill()
        if self._replies is not None:
            self._replies.close()


def run_child(command: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> int:
    """Run `command` to its end and return its exit code; `Interrupted` if we were signalled."""
    return ChildSession(command, cwd=cwd, env=env, requests=False).finish()
