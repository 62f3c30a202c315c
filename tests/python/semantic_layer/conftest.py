"""Fixtures for the semantic-layer tests: a small published warehouse and the real `mf` CLI.

One session-scoped build: generated sources loaded with the real CLI, `dbt
build` on a throwaway warehouse, `python -m python_loaders publish` to a
throwaway published file. Then every `mf` command the tests check runs once,
at the same time, through the `analytics` dbt target, while another process
holds the published file open read-only and another holds the private
warehouse open for writing (as a running build does).

`mf` reads the semantic manifest from `<project dir>/target/` whatever
DBT_TARGET_PATH says, so the commands run in a scratch project dir whose
`dbt_project.yml` is the project's own and whose `target` is the test build's
target dir: the project's own target/ is never touched.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
MF = Path(sys.executable).with_name("mf")

# Small on purpose: MetricFlow's numbers are what is checked, not volume.
CUSTOMERS = 150
INVOICE_LINES = 8_000
SEED = 23

# name -> mf arguments; each `query` writes <name>.csv
MF_COMMANDS: dict[str, list[str]] = {
    "monthly": [
        "query",
        "--metrics",
        "revenue,invoice_lines,invoices,streams,customers,subscribers,revenue_per_customer",
        "--group-by",
        "metric_time__month",
    ],
    "country_monthly": [
        "query",
        "--metrics",
        "revenue,invoice_lines",
        "--group-by",
        "metric_time__month,country__country_name",
    ],
    "daily_by_invoice_type": [
        "query",
        "--metrics",
        "revenue,invoices,invoice_revenue",
        "--group-by",
        "metric_time__day,metric_time__week,invoice__invoice_type",
    ],
    "churn_rate_by_plan": ["query", "--saved-query", "churn_rate_by_plan"],
    "subscribers_over_time": ["query", "--saved-query", "subscribers_over_time"],
    "validate": ["validate-configs"],
    "list_metrics": ["list", "metrics"],
}


@dataclass
class SemanticLayer:
    """The published test warehouse and the outcome of every `mf` command in MF_COMMANDS."""

    root: Path
    warehouse: Path
    analytics: Path
    manifest: dict
    results: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    warehouse_was_locked: bool = False
    reader_was_connected: bool = False

    def rows(self, name: str) -> list[dict[str, str]]:
        """The CSV rows `mf query` wrote for command `name` (empty cells as '')."""
        result = self.results[name]
        assert result.returncode == 0, f"mf {name} failed:\n{result.stdout}\n{result.stderr}"
        with (self.root / f"{name}.csv").open(newline="") as file:
            return list(csv.DictReader(file))

    def published(self, sql: str) -> list[tuple]:
        """Plain SQL on the published file (a separate read-only connection)."""
        with duckdb.connect(str(self.analytics), read_only=True) as con:
            return con.execute(sql).fetchall()


def _holder(code: str) -> subprocess.Popen[str]:
    """A Python process that runs `code`, prints `ready`, then waits until its stdin closes."""
    script = f"import sys, duckdb\n{code}\nprint('ready', flush=True)\nsys.stdin.read()\n"
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if line.strip() != "ready":
        process.kill()
        stderr = process.stderr.read() if process.stderr else ""
        raise AssertionError(f"holder did not start: {line}{stderr}")
    return process


def _release(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    process.wait(timeout=30)


def _is_locked(path: Path) -> bool:
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.IOException as error:
        return "lock" in str(error).lower()
    return False


def _mf_project(root: Path, target_dir: Path) -> Path:
    project = root / "mf_project"
    project.mkdir()
    (project / "dbt_project.yml").symlink_to(PROJECT_DIR / "dbt_project.yml")
    (project / "target").symlink_to(target_dir)
    return project


@pytest.fixture(scope="session")
def semantic_layer(
    dbt_warehouse_factory: Callable[[str], Any],
) -> Iterator[SemanticLayer]:
    warehouse = dbt_warehouse_factory("semantic_layer")  # a tests/python/conftest.py DbtWarehouse
    root: Path = warehouse.root
    sources = root / "sources"
    generated = warehouse.cli(
        "generate",
        "--out", str(sources),
        "--seed", str(SEED),
        "--customers", str(CUSTOMERS),
        "--invoice-lines", str(INVOICE_LINES),
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    warehouse.load(sources)
    warehouse.build()
    analytics = root / "published" / "analytics.duckdb"
    published = warehouse.cli(
        "publish", "--warehouse", str(warehouse.path), "--analytics", str(analytics)
    )
    assert published.returncode == 0, published.stdout + published.stderr

    layer = SemanticLayer(
        root=root,
        warehouse=warehouse.path,
        analytics=analytics,
        manifest=warehouse.manifest,
    )
    project = _mf_project(root, warehouse.target_dir)
    env = warehouse.env()
    env.update(AAVAIL_DBT_TARGET="analytics", AAVAIL_ANALYTICS=str(analytics))

    reader = _holder(
        f"con = duckdb.connect({str(analytics)!r}, read_only=True)\n"
        "con.execute('select count(*) from marts.fct_invoice_lines').fetchall()"
    )
    writer = _holder(f"con = duckdb.connect({str(layer.warehouse)!r})\ncon.execute('begin')")
    processes: dict[str, subprocess.Popen[str]] = {}
    try:
        layer.warehouse_was_locked = _is_locked(layer.warehouse)
        for name, args in MF_COMMANDS.items():
            csv_args = ["--csv", str(root / f"{name}.csv")] if args[0] == "query" else []
            processes[name] = subprocess.Popen(
                [str(MF), *args, *csv_args],
                cwd=project,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        for name, process in processes.items():
            stdout, stderr = process.communicate(timeout=300)
            layer.results[name] = subprocess.CompletedProcess(
                process.args, process.returncode, stdout, stderr
            )
        layer.warehouse_was_locked &= _is_locked(layer.warehouse)
        layer.reader_was_connected = reader.poll() is None
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
        _release(reader)
        _release(writer)
    yield layer
