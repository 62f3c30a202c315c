"""Layer rules: a model's folder fixes its name prefix and which layers it may read.

The layer of a model is its first folder under `models/` (its fqn's second
part): staging < utilities < intermediate < marts < ml / reports. Seeds count
as staging inputs; utilities (the calendar) read nothing but may be read by
intermediate models and marts; snapshots sit between intermediate and marts
(they snapshot an intermediate view and marts may read them).
"""

import re

from dbt_score import Model, RuleViolation, Severity, rule

# Rank of each layer: a model may read its own rank or lower.
LAYER_RANKS: dict[str, float] = {
    "staging": 0,
    "utilities": 0.5,
    "intermediate": 1,
    "marts": 2,
    "ml": 3,
    "reports": 3,
}
SNAPSHOT_RANK = 1.5
SEED_RANK = 0

# The name every model of a layer must match.
LAYER_NAME_PATTERNS: dict[str, str] = {
    "staging": r"stg_[a-z0-9]+__[a-z0-9_]+",
    "utilities": r"util_[a-z0-9_]+",
    "intermediate": r"int_[a-z0-9_]+",
    "marts": r"(dim|fct)_[a-z0-9_]+",
    "reports": r"rpt_[a-z0-9_]+",
    # ml tables are named by what a data scientist gets: <subject>_features / _anomalies / ...
    "ml": r"[a-z][a-z0-9_]*_(features|anomalies|scores|predictions)",
}


def model_layer(model: Model) -> str | None:
    """The layer folder of a model (`models/<layer>/...`), or None at the top level."""
    fqn = model._raw_values.get("fqn") or []
    return fqn[1] if len(fqn) > 2 else None


def _rank_of(unique_id: str, layers_by_id: dict[str, str | None]) -> float | None:
    resource_type = unique_id.split(".", 1)[0]
    if resource_type == "seed":
        return SEED_RANK
    if resource_type == "snapshot":
        return SNAPSHOT_RANK
    layer = layers_by_id.get(unique_id)
    return LAYER_RANKS.get(layer) if layer else None


@rule(severity=Severity.HIGH)
def model_name_matches_layer(model: Model) -> RuleViolation | None:
    """A model lives in a layer folder and its name has that layer's prefix."""
    layer = model_layer(model)
    if layer not in LAYER_NAME_PATTERNS:
        known = ", ".join(LAYER_NAME_PATTERNS)
        return RuleViolation(f"Model is not in a layer folder (models/<{known}>/).")
    pattern = LAYER_NAME_PATTERNS[layer]
    if not re.fullmatch(pattern, model.name):
        return RuleViolation(f"A {layer} model's name must match {pattern}.")
    return None


@rule(severity=Severity.HIGH)
def source_used_only_in_staging(model: Model) -> RuleViolation | None:
    """Only staging models read sources (`source()`); every other layer uses `ref()`."""
    if model_layer(model) == "staging":
        return None
    sources = [node for node in model.depends_on.get("nodes", []) if node.startswith("source.")]
    if sources:
        return RuleViolation(f"Only staging reads sources; this model reads {', '.join(sources)}.")
    return None


@rule(severity=Severity.HIGH)
def no_dependency_on_later_layer(model: Model) -> RuleViolation | None:
    """A model reads only its own layer or earlier ones (staging < utilities < intermediate <
    marts < ml / reports)."""
    own = LAYER_RANKS.get(model_layer(model) or "")
    if own is None:
        return None  # model_name_matches_layer reports models outside the layers
    layers_by_id = {parent.unique_id: None for parent in model.parents}
    layers_by_id |= {
        parent.unique_id: model_layer(parent)
        for parent in model.parents
        if isinstance(parent, Model)
    }
    later = [
        parent_id
        for parent_id in model.depends_on.get("nodes", [])
        if (rank := _rank_of(parent_id, layers_by_id)) is not None and rank > own
    ]
    if later:
        return RuleViolation(f"Reads a later layer: {', '.join(later)}.")
    return None
