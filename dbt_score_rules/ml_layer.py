"""The ml layer's own rule, beside its naming rule in layers.py (`<subject>_features` ...).

A revenue series in the ml tables is named as in the revenue grid they read:
`series_name` (a country, or `All`) with `is_all_countries`, never a
`country_name` that holds `All`. dbt-score sees columns, not values, so the
rule checks the pair: an ml model with one of the two columns has both, and
does not also carry a `country_name` beside them.
"""

from dbt_score import Model, RuleViolation, Severity, rule

from dbt_score_rules.layers import model_layer

SERIES_COLUMNS = ("series_name", "is_all_countries")


@rule(severity=Severity.HIGH)
def ml_series_named_as_in_the_grid(model: Model) -> RuleViolation | None:
    """An ml model's series is `series_name` + `is_all_countries`, without a `country_name`."""
    if model_layer(model) != "ml":
        return None
    names = {column.name.lower() for column in model.columns}
    present = [name for name in SERIES_COLUMNS if name in names]
    if present and len(present) < len(SERIES_COLUMNS):
        missing = next(name for name in SERIES_COLUMNS if name not in names)
        return RuleViolation(f"Has {present[0]} but not {missing}: a series needs both.")
    if present and "country_name" in names:
        return RuleViolation("Has series_name and country_name: name the series once.")
    return None
