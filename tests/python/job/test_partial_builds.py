"""Partial builds work as users type them; a full build still runs every test.

dbt's default (eager) indirect selection adds every test touching a selected
model, also tests that read models outside the selection: on a fresh
warehouse those fail. dbt_project.yml sets `indirect_selection: buildable`.
"""

from __future__ import annotations

import json
from pathlib import Path

from job_helpers import DBT, job_env, run_process

TEST_TYPES = ("test", "unit_test")


def test_a_fresh_warehouse_builds_only_the_ml_tables_and_their_ancestors(
    loaded_warehouse: Path, job_root: Path
):
    done = run_process(
        [DBT, "build", "--select", "+path:models/ml"], job_env(job_root, loaded_warehouse)
    )
    assert done.returncode == 0, done.stdout[-4000:]

    results = json.loads((job_root / "target" / "run_results.json").read_text())["results"]
    manifest = json.loads((job_root / "target" / "manifest.json").read_text())
    assert {r["status"] for r in results} <= {"success", "pass", "no-op"}
    ran = {r["unique_id"] for r in results}
    ml_models = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["original_file_path"].startswith("models/ml/")
    }
    assert ml_models and ml_models <= ran
    ml_tests = {
        uid
        for uid in ran
        if uid.split(".")[0] in TEST_TYPES
        and set(manifest["nodes"].get(uid, {}).get("depends_on", {}).get("nodes", [])) & ml_models
    }
    assert ml_tests, "the ml tables' own tests must still run"


def test_a_full_build_still_runs_every_test_in_the_manifest(built_warehouse):
    manifest = built_warehouse.manifest
    declared = {
        uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"
    } | set(manifest.get("unit_tests", {}))
    ran = {
        r["unique_id"]
        for r in built_warehouse.build_results["results"]
        if r["unique_id"].split(".")[0] in TEST_TYPES
    }
    assert declared and ran == declared
