"""Shared pytest fixtures: project paths and the reference data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
REFERENCE_DIR = Path(
    os.environ.get("AAVAIL_REFERENCE_DIR")
    or PROJECT_DIR.parent / "shared" / "reference-data" / "aavail"
)


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The real AAVAIL sample files (../shared/reference-data/aavail, or $AAVAIL_REFERENCE_DIR).

    In CI (CI=true) the folder is always beside the clone, so its absence is a
    failure; on a developer machine without it, those tests are skipped.
    """
    if not REFERENCE_DIR.is_dir():
        message = f"reference data folder not found: {REFERENCE_DIR}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REFERENCE_DIR


# --- dbt: a warehouse built end to end with the real CLI (used by tests/python/dbt, ml, ...) ---

DBT_SMALL_CUSTOMERS = 300
DBT_SMALL_LINES = 30_000
DBT_SEED = 11


class DbtWarehouse:
    """A throwaway warehouse in `root`: load sources with the real CLI, run dbt on it.

    Every dbt command runs from the project dir with the `ci` target, this
    warehouse file, and its own target/log/temp directories, so test builds
    never touch the project's own target/ or data/.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / "warehouse.duckdb"
        self.target_dir = root / "target"
        root.mkdir(parents=True, exist_ok=True)
        self.run_results: dict = {}
        self.manifest: dict = {}
        self.catalog: dict = {}
        self.build_results: dict = {}
        self.build_manifest: dict = {}  # manifest.json of the build (docs generate rewrites it)
        self.build_output = ""
        self.sources: Path | None = None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            AAVAIL_DBT_TARGET="ci",
            AAVAIL_WAREHOUSE=str(self.path),
            AAVAIL_MEMORY_LIMIT="2GB",
            DBT_PROFILES_DIR=str(PROJECT_DIR),
            DBT_TARGET_PATH=str(self.target_dir),
            DBT_LOG_PATH=str(self.root / "logs"),
            AAVAIL_CHARTS_DIR=str(self.root / "charts"),  # `run` draws here, not in the project
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DBT_USE_COLORS="false",
        )
        return env

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -m python_loaders ARGS`, in the project dir, with this warehouse."""
        return subprocess.run(
            [sys.executable, "-m", "python_loaders", *args],
            cwd=PROJECT_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )

    def load(self, source_dir: Path) -> None:
        result = self.cli(
            "load", "--source-dir", str(source_dir), "--warehouse", str(self.path), "--quiet"
        )
        assert result.returncode == 0, f"load failed:\n{result.stdout}\n{result.stderr}"

    def dbt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run dbt ARGS; keep run_results.json and manifest.json of the run."""
        dbt_exe = Path(sys.executable).with_name("dbt")
        result = subprocess.run(
            [str(dbt_exe), *args],
            cwd=PROJECT_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if check:
            assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}"
        for name in ("run_results", "manifest"):
            file = self.target_dir / f"{name}.json"
            if file.is_file():
                setattr(self, name, json.loads(file.read_text()))
        return result

    def build(self, *extra: str) -> subprocess.CompletedProcess[str]:
        result = self.dbt("build", "--threads", "2", *extra)
        self.build_output = result.stdout
        self.build_results = self.run_results
        self.build_manifest = self.manifest
        return result

    def docs(self) -> None:
        self.dbt("docs", "generate")
        self.catalog = json.loads((self.target_dir / "catalog.json").read_text())

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtWarehouse:
    """Generated sources (300 customers, 30,000 lines) loaded with the real CLI,
    then `dbt build` (every model) and `dbt docs generate` on a throwaway warehouse.

    Attributes: `path` (the DuckDB file), `build_results` (run_results.json of
    the build), `build_output` (its stdout), `manifest`, `catalog`.
    """
    root = tmp_path_factory.mktemp("built_warehouse")
    sources = root / "sources"
    warehouse = DbtWarehouse(root / "wh")
    generated = warehouse.cli(
        "generate",
        "--out", str(sources),
        "--seed", str(DBT_SEED),
        "--customers", str(DBT_SMALL_CUSTOMERS),
        "--invoice-lines", str(DBT_SMALL_LINES),
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    warehouse.sources = sources
    warehouse.load(sources)
    warehouse.build()
    warehouse.docs()
    return warehouse


@pytest.fixture(scope="session")
def dbt_warehouse_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str], DbtWarehouse]:
    """Make an empty DbtWarehouse in a fresh temporary directory named after `name`."""

    def make(name: str) -> DbtWarehouse:
        return DbtWarehouse(tmp_path_factory.mktemp(name))

    return make


# --- parallel runs (`make test` runs pytest -n 2 --dist loadgroup) ---

# Folders whose test files share an expensive session fixture (three real `run`s and a
# publication; mf's build): all their files run on one worker, so it is built once. Every
# other file is its own group (as --dist loadfile), which balances the two workers best.
GROUP_BY_FOLDER = frozenset({"publish", "semantic_layer"})

# The long poles, handed out first and longest first (the rest follow in file order), so
# the two workers finish together instead of one starting a Spark build near the end.
# Measured with `pytest -n 2 --dist loadgroup --junitxml=... -o junit_duration_report=total`
# (docs/spark.md "How the comparison is proved"): the two Spark scenarios are the longest.
FIRST_GROUPS: tuple[str, ...] = (
    "spark/test_spark_reference_equality.py",
    "spark/test_spark_incremental_equality.py",
)
TESTS_ROOT = "tests/python/"


def group_of(nodeid: str) -> str:
    """A test id's group: its folder for GROUP_BY_FOLDER, else its file (under tests/python)."""
    path = nodeid.split("::", 1)[0].removeprefix(TESTS_ROOT)
    area = path.split("/", 1)[0]
    return area if area in GROUP_BY_FOLDER else path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the FIRST_GROUPS first; within a group, and among the others, order is kept."""
    rank = {group: index for index, group in enumerate(FIRST_GROUPS)}
    items.sort(key=lambda item: rank.get(group_of(item.nodeid), len(rank)))


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadgroup` with the groups of `group_of`, in collection order.

    xdist's own loadgroup reads `xdist_group` markers through a test-id suffix that
    pytest 9 no longer lets it set (every test became its own group, so session
    fixtures were built on both workers); this scheduler groups by test id instead.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    config.option.loadscopereorder = False  # keep the order pytest_collection_modifyitems gave
    return FileGroupScheduling(config, log)  # type: ignore[arg-type]
