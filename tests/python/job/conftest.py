"""Fixtures for the main-job tests: tiny sources, a loaded warehouse, a lock-holding process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from job_helpers import TINY_CUSTOMERS, TINY_LINES, cli, job_env, run_process


@pytest.fixture(scope="session")
def tiny_sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated sources: 50 customers, 2,000 invoice lines (read-only for the tests)."""
    from python_loaders.generator import generate_sources

    out = tmp_path_factory.mktemp("job_sources") / "sources"
    generate_sources(out, seed=5, customers=TINY_CUSTOMERS, invoice_lines=TINY_LINES, quiet=True)
    return out


@pytest.fixture(scope="session")
def loaded_template(tiny_sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file holding `tiny_sources`, landed by the real `load` (copy it, do not use)."""
    root = tmp_path_factory.mktemp("job_loaded")
    warehouse = root / "warehouse.duckdb"
    done = run_process(
        cli("load", "--source-dir", str(tiny_sources), "--warehouse", str(warehouse), "--quiet"),
        job_env(root, warehouse),
    )
    assert done.returncode == 0, done.stderr
    return warehouse


@pytest.fixture(scope="session")
def job_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder (and so one dbt target/ dir) for every dbt-running test here."""
    return tmp_path_factory.mktemp("job_dbt")


@pytest.fixture
def job_warehouse(job_root: Path) -> Path:
    """The warehouse path of the dbt-running tests, removed before each test.

    One path for all of them: dbt's partial parse is only reused when the
    profile (its warehouse path) is unchanged, and a full parse costs seconds.
    """
    warehouse = job_root / "warehouse.duckdb"
    for leftover in (warehouse, warehouse.with_name(warehouse.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(warehouse.with_name(warehouse.name + ".tmp"), ignore_errors=True)
    return warehouse


@pytest.fixture
def loaded_warehouse(loaded_template: Path, job_warehouse: Path) -> Path:
    """`job_warehouse` holding a copy of the loaded tiny sources."""
    shutil.copyfile(loaded_template, job_warehouse)
    return job_warehouse


@contextmanager
def _holding(warehouse: Path, *, read_only: bool, then: str) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time;"
            f" con = duckdb.connect(sys.argv[1], read_only={read_only});"
            f" print('ready', flush=True); {then}",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if holder.stdout is None or holder.stdout.readline().strip() != "ready":
            pytest.fail("the lock-holding process did not start")
        yield holder
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture
def hold_warehouse() -> Callable[..., AbstractContextManager[subprocess.Popen[str]]]:
    """`with hold_warehouse(path, read_only=..., then="time.sleep(60)") as holder:` another
    process (a writer, or a reader holding the file read-only) keeps the warehouse open."""

    def start(warehouse: Path, *, read_only: bool, then: str = "time.sleep(120)"):
        return _holding(warehouse, read_only=read_only, then=then)

    return start
