"""What dbt's ecosystem tools cannot check about coverage, read from the artifacts.

Descriptions (of every model, seed, snapshot, source, exposure's parents and
each declared column) and tested primary keys are now checked by dbt-score with
the project's rules: tests/python/conventions/test_dbt_score_conventions.py
(`make lint` runs the same). The one hand check kept here is the one no tool
covers: dbt-score reads only manifest.json, so a column the SQL builds but the
YAML never declares is invisible to it; `undeclared_columns` compares the
built warehouse (catalog.json) with the YAML (for sources: every landed raw and
raw_meta column). The other direction for sources (a declared column the
warehouse lacks) and the raw-table contract (specs <-> sources YAML <-> landed
types) are tests/python/conventions/test_raw_contract.py. `unexpected_results`
is the build-status check the build tests use.
"""

from __future__ import annotations

from dbt_checks import undeclared_columns, unexpected_results


def test_every_column_built_in_the_warehouse_is_declared_and_described(built_warehouse):
    assert undeclared_columns(built_warehouse.manifest, built_warehouse.catalog) == []


def _model(columns: dict[str, str]) -> dict:
    return {
        "package_name": "aavail",
        "resource_type": "model",
        "description": "a model",
        "columns": {name: {"description": text} for name, text in columns.items()},
    }


def test_the_check_finds_columns_built_but_not_declared_or_described():
    manifest = {
        "nodes": {
            "model.aavail.a": _model({"id": "key", "x": ""}),
            "model.aavail.b": _model({"id": "key"}),
            "model.aavail.not_built": _model({"id": "key"}),
        },
        "sources": {
            "source.aavail.crm.customer": {"package_name": "aavail", "columns": {}},
        },
    }
    catalog = {
        "nodes": {
            "model.aavail.a": {"columns": {"ID": {}, "X": {}, "Y": {}}},
            "model.aavail.b": {"columns": {"id": {}}},
        },
        "sources": {"source.aavail.crm.customer": {"columns": {"name": {}}}},
    }
    assert undeclared_columns(manifest, catalog) == [
        "model.aavail.a: column x is built but not described in YAML",
        "model.aavail.a: column y is built but not described in YAML",
        "source.aavail.crm.customer: column name is built but not described in YAML",
    ]


def test_only_documented_orphan_checks_may_warn():
    orphan = "test.aavail.relationships_x.abc123"
    results = {
        "results": [
            {"unique_id": "model.aavail.m", "status": "success"},
            {"unique_id": orphan, "status": "warn", "message": "Got 3 results"},
            {"unique_id": "test.aavail.other.def456", "status": "warn", "message": "Got 1 result"},
        ]
    }
    assert unexpected_results(results, frozenset({"test.aavail.relationships_x"})) == [
        "test.aavail.other.def456: warn Got 1 result"
    ]
