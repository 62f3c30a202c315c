"""`run`: the main job, end to end: (generate sample sources,) load, dbt build, dbt docs generate.

The loader's DuckDB connection is closed before dbt starts (DuckDB allows one
writing process per file). dbt runs as a child process in the project
directory with DBT_PROFILES_DIR = that directory and AAVAIL_WAREHOUSE = the
absolute warehouse path; its output streams straight to the terminal.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from python_loaders.errors import UserError
from python_loaders.loading import load_sources

SAMPLE_DIR = Path("data") / "sample_sources"
DBT_STEPS: tuple[tuple[str, ...], ...] = (("build",), ("docs", "generate"))
LOCK_TIMEOUT_SECONDS = 30.0


def find_project_dir(start: Path | None = None) -> Path:
    """The folder holding dbt_project.yml: the working dir or a parent, else the package's."""
    candidates = [start or Path.cwd()]
    candidates += list(candidates[0].resolve().parents)
    candidates.append(Path(__file__).resolve().parents[1])
    for folder in candidates:
        if (folder / "dbt_project.yml").is_file():
            return folder.resolve()
    raise UserError("no dbt_project.yml in the working directory, its parents or the package's")


def dbt_executable() -> str:
    """The dbt next to this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.is_file():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise UserError("dbt is not installed next to this Python nor on PATH (run `make setup`)")
    return found


def ensure_sample_sources(source_dir: Path, quiet: bool) -> None:
    """Generate the default sample sources when the folder does not exist yet (atomically)."""
    if source_dir.exists():
        return
    from python_loaders.generator import generate_sources

    source_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".sample_sources-", dir=source_dir.parent))
    try:
        generate_sources(scratch / "out", quiet=quiet)
        (scratch / "out").rename(source_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_dbt(args: tuple[str, ...], project_dir: Path, warehouse: Path) -> int:
    """Run one dbt command in the project, streaming its output; return its exit code."""
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(project_dir),
        "AAVAIL_WAREHOUSE": str(warehouse),
    }
    if not sys.stdout.isatty():
        env.setdefault("DBT_USE_COLORS", "false")  # no escape codes in logs and CI output
    print(f"$ dbt {' '.join(args)}", flush=True)
    return subprocess.run(
        [dbt_executable(), *args], cwd=project_dir, env=env, check=False
    ).returncode


def run_main_job(
    source_dir: Path | None,
    warehouse: Path,
    max_reject_rate: float,
    quiet: bool,
    *,
    project_dir: Path | None = None,
) -> int:
    """Generate (if needed), load, `dbt build`, `dbt docs generate`; 0 when every step passed."""
    project = project_dir or find_project_dir()
    if source_dir is None:
        source_dir = project / SAMPLE_DIR
        ensure_sample_sources(source_dir, quiet)
    warehouse = warehouse.expanduser().resolve()
    result = load_sources(
        source_dir,
        warehouse,
        max_reject_rate=max_reject_rate,
        lock_timeout=LOCK_TIMEOUT_SECONDS,
        quiet=quiet,
    )  # returns with the warehouse connection closed
    if result.exit_code != 0:
        print(f"error: step `load` failed (exit {result.exit_code}); dbt not run", file=sys.stderr)
        return result.exit_code
    for args in DBT_STEPS:
        code = run_dbt(args, project, warehouse)
        if code != 0:
            print(f"error: step `dbt {' '.join(args)}` failed (exit {code})", file=sys.stderr)
            return code
    return 0
