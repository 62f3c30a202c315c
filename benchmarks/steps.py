"""Run one benchmark step as its own process and measure it.

Each step is a separate subprocess so that its peak memory is its own: the
resident-set high-water mark comes from `os.wait4`, which reports the rusage
of exactly that child (and any grandchildren it waited for), never of the
harness. Wall time is `time.perf_counter` around start and reap.

A step whose work happens in a process it does not wait for (dbt on Spark: the
JVM that pyspark starts) is measured with `sample_tree=True` as well: every
quarter second the resident sizes of the child and all its descendants are
summed from /proc, and the largest sum is `tree_peak_rss_mib`.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class StepFailed(RuntimeError):
    """A measured step exited non-zero; the message names the step and its log."""


@dataclass(frozen=True)
class Measurement:
    """Wall time (seconds) and peak resident memory (MiB) of one step."""

    step: str
    wall_s: float
    peak_rss_mib: float
    tree_peak_rss_mib: float | None = None


def _last_lines(path: Path, count: int = 5) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in lines[-count:])


_PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
SAMPLE_INTERVAL_S = 0.25


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # fields after the command name (which may contain spaces) in parentheses
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def tree_rss_mib(root: int) -> float:
    """Sum of the resident sizes (MiB) of `root` and every descendant, now."""
    parents = _parents()
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0.0
    for pid in tree:
        try:
            resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * _PAGE_MIB
    return total


class _TreeSampler(threading.Thread):
    """Polls tree_rss_mib(pid) until stopped; keeps the largest value."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mib = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_mib = max(self.peak_mib, tree_rss_mib(self.pid))
            self._stop_event.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_mib


def run_measured(
    step: str,
    argv: Sequence[str],
    *,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    sample_tree: bool = False,
) -> Measurement:
    """Run `argv` to completion, its output in `log_dir/<step>.log`; raise StepFailed on error."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{step}.log"
    with log_path.open("wb") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )
        sampler = _TreeSampler(proc.pid) if sample_tree else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        tree_peak = sampler.stop() if sampler is not None else None
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise StepFailed(
            f"step {step!r} failed with exit code {proc.returncode} (log: {log_path}): "
            f"{_last_lines(log_path)}"
        )
    # Linux reports ru_maxrss in KiB.
    return Measurement(
        step=step, wall_s=wall, peak_rss_mib=usage.ru_maxrss / 1024, tree_peak_rss_mib=tree_peak
    )
