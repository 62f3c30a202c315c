"""Helpers for the main-job tests: the environment and command lines of real processes.

Every dbt or CLI process started with `job_env()` uses a throwaway warehouse
and its own target/ and log dirs (never the project's own), the `ci` target,
and the project's profiles.yml.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]
DBT = str(Path(sys.executable).with_name("dbt"))
TINY_CUSTOMERS = 50
TINY_LINES = 2_000


def job_env(root: Path, warehouse: Path | str, **extra: str) -> dict[str, str]:
    """Environment for `python -m python_loaders` / dbt on a throwaway warehouse in `root`."""
    env = dict(os.environ)
    env.update(
        AAVAIL_DBT_TARGET="ci",
        AAVAIL_WAREHOUSE=str(warehouse),
        AAVAIL_MEMORY_LIMIT="1GB",
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_USE_COLORS="false",
    )
    env.update(extra)
    return env


def run_process(
    args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run a command in the project dir, capturing its text output."""
    return subprocess.run(
        args,
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def cli(*args: str) -> list[str]:
    """The command line of `python -m python_loaders ARGS`."""
    return [sys.executable, "-m", "python_loaders", *args]
