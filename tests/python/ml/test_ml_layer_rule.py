"""The ml layer's series rule (dbt_score_rules/ml_layer.py) on hand-made nodes and the real ones."""

from __future__ import annotations

import pytest
from dbt_score.models import Model

from dbt_score_rules.ml_layer import ml_series_named_as_in_the_grid


def _model(layer: str, columns: tuple[str, ...]) -> Model:
    name = "x_features" if layer == "ml" else "int_x"
    node = {
        "unique_id": f"model.aavail.{name}",
        "name": name,
        "fqn": ["aavail", layer, name],
        "relation_name": None,
        "description": "a model",
        "original_file_path": f"models/{layer}/{name}.sql",
        "config": {"contract": {"enforced": False}, "materialized": "table"},
        "meta": {},
        "columns": {
            column: {
                "name": column,
                "description": "d",
                "meta": {},
                "constraints": [],
                "tags": [],
                "config": {},
            }
            for column in columns
        },
        "package_name": "aavail",
        "database": "db",
        "schema": layer,
        "raw_code": "select 1",
        "language": "sql",
        "access": "protected",
        "alias": name,
        "tags": [],
        "depends_on": {"nodes": [], "macros": []},
        "constraints": [],
    }
    return Model.from_node(node, [])


@pytest.mark.parametrize(
    ("layer", "columns", "ok"),
    [
        ("ml", ("series_name", "is_all_countries", "feature_date"), True),
        ("ml", ("customer_id", "country_name"), True),  # a customer's country, no series
        ("ml", ("series_name", "feature_date"), False),  # the flag is missing
        ("ml", ("is_all_countries", "feature_date"), False),  # the name is missing
        ("ml", ("series_name", "is_all_countries", "country_name"), False),  # named twice
        ("intermediate", ("series_name", "feature_date"), True),  # other layers: not this rule
    ],
)
def test_ml_series_rule(layer, columns, ok):
    violation = ml_series_named_as_in_the_grid().evaluate(_model(layer, columns))
    assert (violation is None) == ok, violation
