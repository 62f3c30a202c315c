"""Documentation and primary-key coverage stays at 100%, read from the artifacts."""

from __future__ import annotations

from dbt_checks import description_gaps, primary_key_gaps, unexpected_results


def test_every_model_seed_snapshot_source_and_column_is_described(built_warehouse):
    assert description_gaps(built_warehouse.manifest, built_warehouse.catalog) == []


def test_every_model_seed_and_snapshot_has_a_tested_primary_key(built_warehouse):
    assert primary_key_gaps(built_warehouse.manifest) == []


def _model(columns: dict[str, str], description: str = "a model") -> dict:
    return {
        "package_name": "aavail",
        "resource_type": "model",
        "description": description,
        "columns": {name: {"description": text} for name, text in columns.items()},
    }


def _test(name: str, attached: str, column: str | None = None, **kwargs) -> dict:
    return {
        "resource_type": "test",
        "attached_node": attached,
        "column_name": column,
        "test_metadata": {"name": name, "kwargs": kwargs},
    }


def test_the_checks_find_missing_descriptions_and_columns_built_but_not_documented():
    manifest = {
        "nodes": {
            "model.aavail.a": _model({"id": "key", "x": ""}),
            "model.aavail.b": _model({"id": "key"}, description=" "),
        },
        "sources": {},
    }
    catalog = {"nodes": {"model.aavail.a": {"columns": {"ID": {}, "X": {}, "Y": {}}}}}
    assert description_gaps(manifest, catalog) == [
        "model.aavail.a: column x has no description",
        "model.aavail.a: column y has no description",
        "model.aavail.b: no description",
    ]


def test_the_checks_find_models_without_a_primary_key_test():
    nodes = {
        "model.aavail.keyed": _model({"id": "key"}),
        "model.aavail.unique_only": _model({"id": "key"}),
        "model.aavail.pair": _model({"a": "a", "b": "b"}),
        "model.aavail.pair_nullable": _model({"a": "a", "b": "b"}),
        "test.aavail.1": _test("unique", "model.aavail.keyed", "id"),
        "test.aavail.2": _test("not_null", "model.aavail.keyed", "id"),
        "test.aavail.3": _test("unique", "model.aavail.unique_only", "id"),
        "test.aavail.4": _test(
            "unique_combination_of_columns", "model.aavail.pair", combination_of_columns=["a", "b"]
        ),
        "test.aavail.5": _test("not_null", "model.aavail.pair", "a"),
        "test.aavail.6": _test("not_null", "model.aavail.pair", "b"),
        "test.aavail.7": _test(
            "unique_combination_of_columns",
            "model.aavail.pair_nullable",
            combination_of_columns=["a", "b"],
        ),
    }
    assert primary_key_gaps({"nodes": nodes, "sources": {}}) == [
        "model.aavail.unique_only: no tested primary key",
        "model.aavail.pair_nullable: no tested primary key",
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
