"""Contract rule: every mart enforces its contract (column names and types fixed)."""

from dbt_score import Model, RuleViolation, Severity, rule

from dbt_score_rules.layers import model_layer


@rule(severity=Severity.HIGH)
def mart_has_enforced_contract(model: Model) -> RuleViolation | None:
    """A mart's contract is enforced (`contract: {enforced: true}`)."""
    if model_layer(model) != "marts":
        return None
    if not (model.config.get("contract") or {}).get("enforced"):
        return RuleViolation("Mart without an enforced contract.")
    return None
