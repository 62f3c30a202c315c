"""Run one benchmark step as its own process and measure it.

Each step is a separate subprocess so that its peak memory is its own: the
resident-set high-water mark comes from `os.wait4`, which reports the rusage
of exactly that child (and any grandchildren it waited for), never of the
harness. Wall time is `time.perf_counter` around start and reap.
"""

from __future__ import annotations

import os
import subprocess
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


def _last_lines(path: Path, count: int = 5) -> str:
    try:
        lines = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in lines[-count:])


def run_measured(
    step: str,
    argv: Sequence[str],
    *,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
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
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise StepFailed(
            f"step {step!r} failed with exit code {proc.returncode} (log: {log_path}): "
            f"{_last_lines(log_path)}"
        )
    # Linux reports ru_maxrss in KiB.
    return Measurement(step=step, wall_s=wall, peak_rss_mib=usage.ru_maxrss / 1024)
