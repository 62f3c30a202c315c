"""Fixtures of the Spark tests: a throwaway Spark target beside a DuckDB warehouse.

A `SparkBuild` keeps everything Spark writes (table files, Derby metastore,
derby.log) in its own folder ($AAVAIL_SPARK_DIR), reads the raw tables from
its own Parquet export ($AAVAIL_RAW_PARQUET) and runs dbt with its own
target/ and log folders: never the project's data/ or target/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]


class SparkBuild:
    """dbt on the `spark` target, over the Parquet export of one DuckDB warehouse."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.spark_dir = root / "spark"
        self.raw_parquet = root / "raw_parquet"
        self.target_dir = root / "target"
        self.run_results: dict = {}
        root.mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            AAVAIL_DBT_TARGET="spark",
            AAVAIL_SPARK_DIR=str(self.spark_dir),
            AAVAIL_RAW_PARQUET=str(self.raw_parquet),
            DBT_PROFILES_DIR=str(PROJECT_DIR),
            DBT_TARGET_PATH=str(self.target_dir),
            DBT_LOG_PATH=str(self.root / "logs"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DBT_USE_COLORS="false",
        )
        return env

    def export_raw(self, warehouse: Path) -> subprocess.CompletedProcess[str]:
        """`python -m python_loaders export-raw` of `warehouse` into this build's folder."""
        result = subprocess.run(
            [sys.executable, "-m", "python_loaders", "export-raw",
             "--warehouse", str(warehouse), "--out", str(self.raw_parquet)],
            cwd=PROJECT_DIR, env=self.env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result

    def read_run_results(self) -> dict:
        """run_results.json of the last dbt command on this build (also one the job ran)."""
        results_file = self.target_dir / "run_results.json"
        if results_file.is_file():
            self.run_results = json.loads(results_file.read_text())
        return self.run_results

    def manifest(self) -> dict:
        """manifest.json of the last dbt command on this build: the Spark target's nodes."""
        return json.loads((self.target_dir / "manifest.json").read_text())

    def dbt(self, *args: str) -> subprocess.CompletedProcess[str]:
        """dbt ARGS on Spark; fails the test (with dbt's output) unless dbt exits 0."""
        result = subprocess.run(
            [str(Path(sys.executable).with_name("dbt")), *args],
            cwd=PROJECT_DIR, env=self.env(), capture_output=True, text=True, check=False,
        )  # fmt: skip
        self.read_run_results()
        summary = [line for line in result.stdout.splitlines() if "ERROR" in line or "FAIL" in line]
        assert result.returncode == 0, "\n".join(summary[-40:]) or result.stdout[-4000:]
        return result


@pytest.fixture(scope="session")
def spark_build_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], SparkBuild]:
    """Make an empty SparkBuild in a fresh temporary directory named after `name`."""

    def make(name: str) -> SparkBuild:
        return SparkBuild(tmp_path_factory.mktemp(name))

    return make
