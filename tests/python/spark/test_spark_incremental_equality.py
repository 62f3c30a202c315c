"""Generated sources with an incremental month, on DuckDB and on Spark.

Months 1..N-1 are landed once (into DuckDB), exported as raw Parquet, and
every seed and model is built on both engines; then month N is landed,
exported, and both build again (DuckDB: delete+insert of the changed months;
Spark: insert_overwrite of the invoice_month partitions). Every mart and ml
table must then be equal cell by cell, and on Spark only month N's partition
may have been rewritten. The data tests run on both engines in
test_spark_reference_equality.py (the suite's one full Spark build).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from spark_compare import compare_builds

BUILD = ("build", "--select", "resource_type:seed", "resource_type:model")


def _files(table_dir: Path) -> dict[str, int]:
    """Every data file of a partitioned Spark table: relative path -> modification time."""
    return {
        str(path.relative_to(table_dir)): path.stat().st_mtime_ns
        for path in table_dir.glob("*/*.parquet")
    }


@pytest.fixture(scope="module")
def incremental_builds(tmp_path_factory, dbt_warehouse_factory, spark_build_factory):
    root = tmp_path_factory.mktemp("spark_incremental_sources")
    duck = dbt_warehouse_factory("spark_incremental_duckdb")
    generated = duck.cli(
        "generate", "--out", str(root / "all"), "--seed", "5",
        "--customers", "150", "--invoice-lines", "4000",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    months = sorted((root / "all" / "invoices").glob("*.json"))
    sources = root / "sources"
    shutil.copytree(root / "all", sources, ignore=shutil.ignore_patterns(months[-1].name))
    spark = spark_build_factory("spark_incremental")
    partitions = spark.spark_dir / "warehouse" / "marts.db" / "fct_invoice_lines"

    def land_and_build() -> None:
        duck.load(sources)
        duck.dbt(*BUILD)
        spark.export_raw(duck.path)
        spark.dbt(*BUILD)

    land_and_build()  # months 1..N-1
    first = _files(partitions)
    shutil.copy(months[-1], sources / "invoices" / months[-1].name)  # month N lands
    land_and_build()
    second = _files(partitions)
    return duck, spark, months[-1].stem, first, second


def test_incremental_month_gives_equal_tables(incremental_builds):
    duck, spark, _month, _first, _second = incremental_builds
    compared, problems = compare_builds(duck.path, spark.spark_dir)
    assert problems == []
    assert {"marts.fct_invoice_lines", "ml.revenue_features", "ml.revenue_anomalies"} <= set(
        compared
    )


def test_spark_rewrote_only_the_new_months_partition(incremental_builds):
    _duck, _spark, month, first, second = incremental_builds
    new_partition = f"invoice_month={month.removeprefix('invoices-')}-01"
    assert first and not any(name.startswith(new_partition) for name in first)
    added = set(second) - set(first)
    assert added and all(name.startswith(new_partition + "/") for name in added)
    assert {name: second.get(name) for name in first} == first  # older months untouched
