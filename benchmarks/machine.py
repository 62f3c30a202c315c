"""Facts about the machine and software a benchmark ran on, for the report."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(project_dir: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=project_dir, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def _git_commit(project_dir: Path) -> str:
    """HEAD's short hash, saying so when the working tree has uncommitted changes."""
    commit = _git(project_dir, "rev-parse", "--short", "HEAD")
    if commit is None:
        return "unknown"
    if _git(project_dir, "status", "--porcelain"):
        return f"{commit} plus uncommitted changes"
    return commit


def machine_facts(project_dir: Path) -> dict[str, object]:
    """CPU, cores, memory, OS, Python and package versions, git commit, load average."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "dbt_core": _version("dbt-core"),
        "dbt_duckdb": _version("dbt-duckdb"),
        "pandas": _version("pandas"),
        "pyarrow": _version("pyarrow"),
        "git_commit": _git_commit(project_dir),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }
