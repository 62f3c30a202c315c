"""What a publication holds: every `marts` and `ml` model of the build, the data-quality
report included (it is built in schema `marts` and has no personal data), and nothing else."""

from __future__ import annotations

import json

import duckdb
import pytest


@pytest.fixture(scope="module")
def build_models(publish_runs) -> dict[tuple[str, str], dict]:
    """(schema, table) -> manifest node of every enabled model built in marts or ml."""
    manifest = json.loads((publish_runs.target_dir / "manifest.json").read_text())
    return {
        (node["schema"], node.get("alias") or node["name"]): node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] in ("marts", "ml")
        and node["config"].get("enabled", True)
    }


def test_every_marts_and_ml_model_is_published_and_nothing_else(publish_runs, build_models):
    with duckdb.connect(str(publish_runs.analytics), read_only=True) as con:
        published = set(
            con.execute(
                "select schema_name, table_name from duckdb_tables()"
                " where schema_name in ('marts', 'ml')"
            ).fetchall()
        )
        recorded = set(
            con.execute("select schema_name, table_name from meta.publication_tables").fetchall()
        )
    assert published == recorded == set(build_models)
    # the reports layer (models/reports/) is published with the marts
    reports = {key for key, node in build_models.items() if node["fqn"][1] == "reports"}
    assert reports and reports <= published
