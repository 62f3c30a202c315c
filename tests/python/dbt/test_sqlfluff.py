"""sqlfluff (dialect duckdb, dbt templater, target ci) passes on every SQL file dbt owns."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LINTED = ["models", "tests/dbt/singular", "snapshots", "analyses"]


def test_sqlfluff_lint_passes(project_dir: Path, tmp_path: Path):
    # The dbt templater connects to the ci warehouse: give it a throwaway file.
    env = dict(os.environ)
    env.update(
        AAVAIL_DBT_TARGET="ci",
        AAVAIL_WAREHOUSE=str(tmp_path / "lint.duckdb"),
        DBT_PROFILES_DIR=str(project_dir),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
    )
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    result = subprocess.run(
        [str(sqlfluff), "lint", *LINTED, "--disable-progress-bar", "--nocolor"],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
