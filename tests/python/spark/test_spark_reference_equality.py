"""The real reference files built on DuckDB and on Spark give the same warehouse.

The main job on Spark (`python -m python_loaders run --target spark`: load
into DuckDB, raw Parquet export, the full `dbt build` on Spark with every
seed, model, unit, singular and generic data test) and a full `dbt build` of
the same warehouse on DuckDB. Then: the same nodes ran on both engines (bar
the DuckDB-only snapshot), every data test gave the same outcome and the
same number of failing rows, and every table of the marts and ml schemas is
equal cell by cell, column types included (spark_compare.py has the type
mapping and tolerances).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from spark_compare import compare_builds

PROJECT_DIR = Path(__file__).resolve().parents[3]
OK_STATUSES = {"success", "pass", "warn", "no-op"}


@pytest.fixture(scope="module")
def reference_builds(reference_dir, dbt_warehouse_factory, spark_build_factory):
    duck = dbt_warehouse_factory("spark_reference_duckdb")
    spark = spark_build_factory("spark_reference")
    job = subprocess.run(
        [sys.executable, "-m", "python_loaders", "run", "--target", "spark", "--quiet",
         "--source-dir", str(reference_dir), "--warehouse", str(duck.path),
         "--raw-parquet", str(spark.raw_parquet)],
        cwd=PROJECT_DIR, env=spark.env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert job.returncode == 0, job.stdout[-3000:] + job.stderr[-2000:]
    assert "exported" in job.stdout
    spark.read_run_results()
    duck.build()  # the same landed warehouse, built on DuckDB
    return duck, spark


def _results(run_results: dict) -> dict[str, dict]:
    return {result["unique_id"]: result for result in run_results["results"]}


def test_spark_build_runs_every_node_of_the_duckdb_build(reference_builds):
    duck, spark = reference_builds
    spark_results = _results(spark.run_results)
    duck_results = _results(duck.build_results)
    statuses = {uid: result["status"] for uid, result in spark_results.items()}
    assert {uid: s for uid, s in statuses.items() if s not in OK_STATUSES} == {}
    assert set(spark_results) - set(duck_results) == set()
    # only what the spark target cannot build is missing: the snapshot and its tests
    manifest = spark.manifest()
    # disabled and not replaced (the Python ml models are disabled, their SQL twins
    # of the same name enabled)
    disabled = set(manifest.get("disabled", {})) - set(manifest["nodes"])

    def not_buildable_on_spark(uid: str) -> bool:
        # a test of a disabled node stays in `nodes`, its dependency unresolved
        node = manifest["nodes"].get(uid)
        disabled_names = {d.split(".")[-1] for d in disabled}
        return uid in disabled or (
            node is not None
            and (
                node.get("attached_node") in disabled
                or any(ref["name"] in disabled_names for ref in node.get("refs", []))
            )
        )

    only_duck = set(duck_results) - set(spark_results)
    assert {uid for uid in only_duck if not not_buildable_on_spark(uid)} == set()
    assert only_duck and all("snapshot" in uid for uid in only_duck)
    kinds = {uid.split(".")[0] for uid in spark_results}
    assert {"seed", "model", "test", "unit_test"} <= kinds
    generic = [
        uid
        for uid, node in manifest["nodes"].items()
        if node.get("test_metadata") and not not_buildable_on_spark(uid)
    ]
    assert generic and set(generic) <= set(spark_results)  # the generic data tests ran too
    # the Python models' SQL twins and the cross-engine macro checks ran on Spark
    for uid in ("model.aavail.revenue_features", "model.aavail.revenue_anomalies",
                "test.aavail.assert_cross_db_macros_agree"):  # fmt: skip
        assert spark_results[uid]["status"] in ("success", "pass"), uid


def test_every_data_test_has_the_same_outcome_on_both_engines(reference_builds):
    duck, spark = reference_builds
    duck_results = _results(duck.build_results)
    outcomes = {
        uid: ((duck_results[uid]["status"], duck_results[uid]["failures"]),
              (result["status"], result["failures"]))
        for uid, result in _results(spark.run_results).items()
        if uid.startswith("test.")
    }  # fmt: skip
    assert outcomes
    assert {uid: pair for uid, pair in outcomes.items() if pair[0] != pair[1]} == {}


def test_every_mart_and_ml_table_is_equal_cell_by_cell(reference_builds):
    duck, spark = reference_builds
    compared, problems = compare_builds(duck.path, spark.spark_dir)
    assert problems == []
    built = {
        f"{node['schema']}.{node['alias']}"
        for node in duck.build_manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] in ("marts", "ml")
        and node["config"]["materialized"] in ("table", "incremental", "view")
    }
    assert built and set(compared) == built
