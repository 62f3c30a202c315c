"""Documentation rules dbt-score has no built-in for: sources, snapshots, exposures' parents.

(Models and seeds use the built-in `has_description`, `columns_have_description`,
`seed_has_description` and `seed_columns_have_description`.)
"""

from dbt_score import Exposure, RuleViolation, Snapshot, Source, rule
from dbt_score.models import Column


def _gaps(description: str | None, columns: list[Column]) -> list[str]:
    """What is not described: 'description' and/or the undescribed column names."""
    gaps = [] if (description or "").strip() else ["description"]
    gaps += [column.name for column in columns if not (column.description or "").strip()]
    return gaps


def _violation(gaps: list[str]) -> RuleViolation | None:
    return RuleViolation(f"Not described: {', '.join(gaps)}.") if gaps else None


@rule
def source_is_described(source: Source) -> RuleViolation | None:
    """A source table and each of its declared columns have a description."""
    return _violation(_gaps(source.description, source.columns))


@rule
def snapshot_is_described(snapshot: Snapshot) -> RuleViolation | None:
    """A snapshot and each of its declared columns have a description."""
    return _violation(_gaps(snapshot.description, snapshot.columns))


@rule
def exposure_parents_are_documented(exposure: Exposure) -> RuleViolation | None:
    """An exposure is described and so is every node it reads (and each of their columns)."""
    gaps = [] if (exposure.description or "").strip() else ["the exposure's description"]
    if not exposure.depends_on.get("nodes"):
        gaps.append("the exposure depends on nothing")
    for parent in exposure.parents:
        columns = getattr(parent, "columns", [])
        gaps += [f"{parent.name}.{gap}" for gap in _gaps(parent.description, columns)]
    return _violation(gaps)
