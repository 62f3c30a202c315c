"""dbt-score checks the project's conventions (pyproject.toml [tool.dbt-score], dbt_score_rules/).

The real `dbt-score lint` passes on the session build's manifest; each of the
project's own rules fails on a small hand-made bad node (and passes on its
good twin, so a rule that always fails is caught too); and the configured
command fails end to end when one node of the real manifest is broken.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dbt_score.models import Exposure, Macro, Model, Seed, Snapshot, Source

from dbt_score_rules import contracts, docs, filters, keys, layers

PROJECT_DIR = Path(__file__).resolve().parents[3]


def _dbt_score(manifest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("dbt-score")), "lint", "--manifest", str(manifest)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        env={"NO_COLOR": "1", "PATH": str(Path(sys.executable).parent)},
    )


def test_dbt_score_lint_passes_on_the_built_manifest(built_warehouse):
    result = _dbt_score(built_warehouse.target_dir / "manifest.json")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "dbt_score_rules" not in result.stdout  # no project rule reported anything


def _node(manifest: dict, unique_id: str) -> dict:
    return manifest["macros" if unique_id.startswith("macro.") else "nodes"][unique_id]


BREAKAGES = [  # (node, how it breaks, the rule that must report it)
    ("model.aavail.dim_plans", lambda n: n["config"].update(contract={"enforced": False}),
     "mart_has_enforced_contract"),
    ("model.aavail.dim_countries", lambda n: n.update(description=""), "has_description"),
    ("model.aavail.fct_streams", lambda n: n["depends_on"]["nodes"].append(
        "source.aavail.crm.customer"), "source_used_only_in_staging"),
    ("macro.aavail.generate_schema_name", lambda n: n.update(description=""),
     "macro_has_description"),
]  # fmt: skip


def test_the_configured_lint_fails_and_names_each_node_that_breaks_a_rule(
    built_warehouse, tmp_path
):
    manifest = json.loads((built_warehouse.target_dir / "manifest.json").read_text())
    for unique_id, breakage, _ in BREAKAGES:
        breakage(_node(manifest, unique_id))
    broken = tmp_path / "manifest.json"
    broken.write_text(json.dumps(manifest))
    result = _dbt_score(broken)
    assert result.returncode == 1, result.stdout[-3000:]
    reports = result.stdout.split("\n\n")  # one paragraph per node with its violations
    for unique_id, _, rule in BREAKAGES:
        name = unique_id.rsplit(".", 1)[-1]
        assert any(f": {name}" in part and rule in part for part in reports), (name, rule)


# --- each project rule on hand-made nodes -------------------------------------------------


def _column(name: str, description: str = "described", tests: list | None = None) -> dict:
    return {
        "name": name,
        "description": description,
        "meta": {},
        "constraints": [],
        "tags": [],
        "config": {},
    }


def _test(name: str, column: str | None = None, **kwargs) -> dict:
    kwargs = {**kwargs, **({"column_name": column} if column else {})}
    return {"name": f"{name}_{column}", "test_metadata": {"name": name, "kwargs": kwargs}}


def _model(
    name: str,
    layer: str | None,
    *,
    parents: tuple[str, ...] = (),
    columns: tuple[str, ...] = ("id",),
    contract: bool = False,
    description: str = "a model",
) -> dict:
    fqn = ["aavail", layer, name] if layer else ["aavail", name]
    return {
        "unique_id": f"model.aavail.{name}",
        "name": name,
        "fqn": fqn,
        "relation_name": None,
        "description": description,
        "original_file_path": "/".join(["models", *fqn[1:]]) + ".sql",
        "config": {"contract": {"enforced": contract}, "materialized": "table"},
        "meta": {},
        "columns": {column: _column(column) for column in columns},
        "package_name": "aavail",
        "database": "db",
        "schema": layer or "main",
        "raw_code": "select 1",
        "language": "sql",
        "access": "protected",
        "alias": name,
        "tags": [],
        "depends_on": {"nodes": list(parents), "macros": []},
        "constraints": [],
    }


def _load_model(node: dict, tests: list[dict] = ()) -> Model:
    return Model.from_node(node, list(tests))


def _link(child: Model, *parents: Model) -> Model:
    child.parents.extend(parents)
    return child


def _evaluate(rule_class: type, evaluable: object) -> str | None:
    violation = rule_class().evaluate(evaluable)
    return None if violation is None else violation.message


@pytest.mark.parametrize(
    ("name", "layer", "ok"),
    [
        ("stg_crm__customers", "staging", True),
        ("stg_customers", "staging", False),  # no source prefix
        ("int_customers_joined", "intermediate", True),
        ("customers_joined", "intermediate", False),
        ("dim_customers", "marts", True),
        ("fct_invoices", "marts", True),
        ("customers", "marts", False),
        ("stg_crm__customers", "marts", False),  # a staging name in marts
        ("rpt_revenue", "reports", True),
        ("revenue", "reports", False),
        ("revenue_features", "ml", True),
        ("revenue_anomalies", "ml", True),
        ("dim_customers", "ml", False),  # a mart name in ml
        ("my_model", None, False),  # outside every layer folder
        ("dim_x", "scratch", False),  # an unknown layer folder
    ],
)
def test_model_name_matches_layer(name, layer, ok):
    message = _evaluate(layers.model_name_matches_layer, _load_model(_model(name, layer)))
    assert (message is None) == ok, message


@pytest.mark.parametrize(
    ("name", "layer", "ok"),
    [
        ("stg_crm__customers", "staging", True),
        ("int_customers_joined", "intermediate", False),
        ("dim_customers", "marts", False),
        ("revenue_features", "ml", False),
    ],
)
def test_source_used_only_in_staging(name, layer, ok):
    node = _model(name, layer, parents=("source.aavail.crm.customer",))
    message = _evaluate(layers.source_used_only_in_staging, _load_model(node))
    assert (message is None) == ok, message


LAYER_OF = {"stg_a__b": "staging", "int_b": "intermediate", "dim_b": "marts", "x_features": "ml"}


@pytest.mark.parametrize(
    ("child", "parent", "ok"),
    [
        ("int_b", "stg_a__b", True),
        ("dim_b", "int_b", True),
        ("dim_b", "dim_b", True),  # marts read marts
        ("x_features", "dim_b", True),
        ("stg_a__b", "int_b", False),
        ("int_b", "dim_b", False),  # an intermediate reading a mart
        ("dim_b", "x_features", False),
        ("stg_a__b", "x_features", False),
    ],
)
def test_no_dependency_on_later_layer(child, parent, ok):
    parent_model = _load_model(_model(parent, LAYER_OF[parent]))
    child_id = f"model.aavail.{parent}"
    node = _model(
        child + "_child" if child == parent else child, LAYER_OF[child], parents=(child_id,)
    )
    message = _evaluate(layers.no_dependency_on_later_layer, _link(_load_model(node), parent_model))
    assert (message is None) == ok, message


@pytest.mark.parametrize(
    ("parent_id", "ok"),
    [
        ("seed.aavail.country_spellings", True),  # seeds feed every layer
        ("snapshot.aavail.customer_subscriptions_snapshot", True),  # marts may read snapshots
    ],
)
def test_marts_may_read_seeds_and_snapshots_but_staging_no_snapshot(parent_id, ok):
    mart = _load_model(_model("dim_b", "marts", parents=(parent_id,)))
    assert (_evaluate(layers.no_dependency_on_later_layer, mart) is None) == ok
    staging = _load_model(
        _model("stg_a__b", "staging", parents=("snapshot.aavail.customer_subscriptions_snapshot",))
    )
    assert _evaluate(layers.no_dependency_on_later_layer, staging) is not None


@pytest.mark.parametrize(
    ("tests", "ok"),
    [
        ([_test("unique", "id"), _test("not_null", "id")], True),
        ([_test("unique", "id")], False),
        ([_test("not_null", "id")], False),
        ([_test("unique", "id"), _test("not_null", "other")], False),  # two different columns
        ([_test("unique_combination_of_columns", combination_of_columns=["id", "other"]),
          _test("not_null", "id"), _test("not_null", "other")], True),
        ([_test("unique_combination_of_columns", combination_of_columns=["id", "other"]),
          _test("not_null", "id")], False),  # a nullable key part
        ([_test("accepted_values", "id"), _test("not_null", "id")], False),
        ([], False),
    ],
)  # fmt: skip
def test_model_seed_and_snapshot_have_a_tested_primary_key(tests, ok):
    model = _load_model(_model("dim_b", "marts", columns=("id", "other")), tests)
    assert (_evaluate(keys.model_has_tested_primary_key, model) is None) == ok
    node = _model("a_seed", None, columns=("id", "other"))
    assert (_evaluate(keys.seed_has_tested_primary_key, Seed.from_node(node, tests)) is None) == ok
    snapshot = Snapshot.from_node({**node, "config": {**node["config"]}}, tests)
    assert (_evaluate(keys.snapshot_has_tested_primary_key, snapshot) is None) == ok


@pytest.mark.parametrize(("layer", "enforced", "ok"), [
    ("marts", True, True), ("marts", False, False), ("staging", False, True), ("ml", False, True),
])  # fmt: skip
def test_mart_has_enforced_contract(layer, enforced, ok):
    name = {"marts": "dim_b", "staging": "stg_a__b", "ml": "x_features"}[layer]
    model = _load_model(_model(name, layer, contract=enforced))
    assert (_evaluate(contracts.mart_has_enforced_contract, model) is None) == ok


def _source(description: str, column_description: str) -> Source:
    return Source.from_node(
        {
            "unique_id": "source.aavail.crm.customer",
            "name": "customer",
            "description": description,
            "source_name": "crm",
            "source_description": "the CRM",
            "original_file_path": "models/staging/crm/_crm__sources.yml",
            "config": {},
            "meta": {},
            "columns": {"id": _column("id", column_description)},
            "package_name": "aavail",
            "database": "db",
            "schema": "raw_crm",
            "identifier": "customer",
            "loader": "python_loaders",
            "tags": [],
        },
        [],
    )


@pytest.mark.parametrize(
    ("description", "column_description", "ok"),
    [("a table", "a key", True), ("", "a key", False), ("a table", " ", False)],
)
def test_sources_and_snapshots_are_described(description, column_description, ok):
    assert (
        _evaluate(docs.source_is_described, _source(description, column_description)) is None
    ) == ok
    node = _model("a_snapshot", None, description=description)
    node["columns"]["id"]["description"] = column_description
    snapshot = Snapshot.from_node(node, [])
    assert (_evaluate(docs.snapshot_is_described, snapshot) is None) == ok


def _exposure(description: str = "a dashboard", parents: tuple[str, ...] = ("model.aavail.dim_b",)):
    return Exposure.from_node(
        {
            "unique_id": "exposure.aavail.dashboard",
            "name": "dashboard",
            "description": description,
            "label": "Dashboard",
            "url": None,
            "maturity": "high",
            "original_file_path": "models/marts/_marts__exposures.yml",
            "type": "dashboard",
            "owner": {"name": "analytics"},
            "config": {},
            "meta": {},
            "tags": [],
            "depends_on": {"nodes": list(parents), "macros": []},
        }
    )


def test_exposure_parents_are_documented():
    described = _load_model(_model("dim_b", "marts"))
    undescribed = _load_model(_model("dim_b", "marts", description=""))
    column_gap = _load_model(_model("dim_b", "marts"))
    column_gap.columns[0].description = ""
    good = _exposure()
    good.parents.append(described)
    assert _evaluate(docs.exposure_parents_are_documented, good) is None
    for parent, gap in ((undescribed, "dim_b.description"), (column_gap, "dim_b.id")):
        exposure = _exposure()
        exposure.parents.append(parent)
        message = _evaluate(docs.exposure_parents_are_documented, exposure)
        assert message is not None and gap in message
    undescribed_exposure = _exposure(description="")
    undescribed_exposure.parents.append(described)
    assert _evaluate(docs.exposure_parents_are_documented, undescribed_exposure) is not None
    assert _evaluate(docs.exposure_parents_are_documented, _exposure(parents=())) is not None


@pytest.mark.parametrize(
    ("name", "entry_point"),
    [
        ("days_between", True),
        ("default__days_between", False),
        ("spark__days_between", False),
        ("generate_schema_name", True),
    ],
)
def test_macro_descriptions_are_required_at_dispatch_entry_points_only(name, entry_point):
    macro = Macro.from_node(
        {
            "unique_id": f"macro.aavail.{name}",
            "name": name,
            "original_file_path": "macros/x.sql",
            "package_name": "aavail",
            "macro_sql": "{% macro x() %}{% endmacro %}",
        }
    )
    assert filters.is_macro_entry_point().evaluate(macro) is entry_point
