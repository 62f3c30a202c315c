"""`python -m python_loaders export-raw`: the landed raw tables as Parquet datasets for Spark.

Real CLI, real DuckDB files: the export equals the raw tables (rows, columns,
types), is partitioned by load, follows a second load, and a failed export
leaves the previous one exactly as it was.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

RAW_SCHEMAS = ("raw_crm", "raw_streaming", "raw_billing", "raw_meta")


def _export(warehouse, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return warehouse.cli(
        "export-raw", "--warehouse", str(warehouse.path), "--out", str(out), *extra
    )


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def two_loads(tmp_path_factory, dbt_warehouse_factory):
    """Months 1..N-1 loaded and exported, then month N loaded and exported again."""
    root = tmp_path_factory.mktemp("raw_parquet_sources")
    warehouse = dbt_warehouse_factory("raw_parquet_export")
    generated = warehouse.cli(
        "generate", "--out", str(root / "all"), "--seed", "3",
        "--customers", "40", "--invoice-lines", "900",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    months = sorted((root / "all" / "invoices").glob("*.json"))
    sources = root / "sources"
    shutil.copytree(root / "all", sources, ignore=shutil.ignore_patterns(months[-1].name))
    out = root / "raw_parquet"
    warehouse.load(sources)
    first = _export(warehouse, out)
    assert first.returncode == 0, first.stderr
    shutil.copy(months[-1], sources / "invoices" / months[-1].name)
    warehouse.load(sources)
    second = _export(warehouse, out)
    assert second.returncode == 0, second.stderr
    return warehouse, out, second.stdout


def test_every_raw_table_is_exported_unchanged(two_loads):
    warehouse, out, stdout = two_loads
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in {RAW_SCHEMAS} order by 1, 2"
        ).fetchall()
        catalog = con.execute(
            f"select table_schema, table_name, row_count from '{out}/raw_catalog.parquet'"
            " order by 1, 2"
        ).fetchall()
        assert [(s, t) for s, t, _ in catalog] == tables
        assert f"exported {len(tables)} raw tables" in stdout
        for schema, table, row_count in catalog:
            raw = f'"{schema}"."{table}"'
            dataset = (
                f"read_parquet('{out}/{schema}/{table}/**/*.parquet', hive_partitioning = false)"
            )
            types = [
                con.execute(f"select column_name, column_type from (describe {r})").fetchall()
                for r in (raw, f"select * from {dataset}")
            ]
            assert types[0] == types[1], f"{schema}.{table} types"
            assert con.execute(f"select count(*) from {raw}").fetchone()[0] == row_count
            for left, right in ((raw, dataset), (dataset, raw)):
                extra = con.execute(
                    f"select count(*) from (select * from {left} except all select * from {right})"
                ).fetchone()[0]
                assert extra == 0, f"{schema}.{table}: {extra} rows only in {left}"


def test_source_tables_are_partitioned_by_load(two_loads):
    _warehouse, out, _ = two_loads
    billing = sorted(p.name for p in (out / "raw_billing" / "invoice_lines").iterdir())
    assert billing == ["_load_id=1", "_load_id=2"]  # the second load landed only month N
    customers = sorted(p.name for p in (out / "raw_crm" / "customer").iterdir())
    assert customers == ["_load_id=1"]  # unchanged files are not landed again
    assert sorted(p.name for p in (out / "raw_meta" / "loads").iterdir()) == ["data_0.parquet"]
    assert not [p for p in out.rglob(".*")]  # no staging or replaced folders left


def test_failed_export_leaves_the_previous_export_whole(two_loads):
    warehouse, out, _ = two_loads
    before = _snapshot(out)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
         " time.sleep(60)", str(warehouse.path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        result = _export(warehouse, out, "--lock-timeout", "0.5")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "locked" in result.stderr, result.stderr
    time.sleep(0.01)
    assert _snapshot(out) == before


def test_missing_warehouse_is_a_one_line_error(tmp_path, dbt_warehouse_factory):
    warehouse = dbt_warehouse_factory("raw_parquet_missing")
    result = _export(warehouse, tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr == f"error: warehouse {warehouse.path} does not exist (run `load` first)\n"
