"""Primary-key rules: every model, seed and snapshot has a tested primary key.

A tested primary key is a column tested both `unique` and `not_null` (or by
one of the project's key tests, which check both at once), or a
`unique_combination_of_columns` test whose every column is tested `not_null`.
"""

from dbt_score import Model, RuleViolation, Seed, Severity, Snapshot, rule
from dbt_score.models import Column, Test

# The project's generic tests that test a column unique and not null in one:
# tests/dbt/generic/key_of_rebuilt_invoice_months.sql (a key test scoped to the
# invoice months a build rebuilt, for a view over every billing line).
KEY_TESTS = frozenset({"key_of_rebuilt_invoice_months"})


def has_tested_primary_key(columns: list[Column], tests: list[Test]) -> bool:
    """True when the column tests or the combination tests make a tested primary key."""
    tested: dict[str, set[str]] = {
        column.name.lower(): {test.type for test in column.tests} for column in columns
    }
    if any({"unique", "not_null"} <= types or types & KEY_TESTS for types in tested.values()):
        return True
    for test in tests:
        if test.type != "unique_combination_of_columns":
            continue
        key = [name.lower() for name in test.kwargs.get("combination_of_columns") or []]
        if key and all("not_null" in tested.get(name, set()) for name in key):
            return True
    return False


VIOLATION = (
    "No tested primary key: test one column unique and not_null, or a "
    "unique_combination_of_columns whose columns are each not_null."
)


@rule(severity=Severity.CRITICAL)
def model_has_tested_primary_key(model: Model) -> RuleViolation | None:
    """A model has a primary key tested unique and not null."""
    if not has_tested_primary_key(model.columns, model.tests):
        return RuleViolation(VIOLATION)
    return None


@rule(severity=Severity.CRITICAL)
def seed_has_tested_primary_key(seed: Seed) -> RuleViolation | None:
    """A seed has a primary key tested unique and not null."""
    if not has_tested_primary_key(seed.columns, seed.tests):
        return RuleViolation(VIOLATION)
    return None


@rule(severity=Severity.CRITICAL)
def snapshot_has_tested_primary_key(snapshot: Snapshot) -> RuleViolation | None:
    """A snapshot has a primary key tested unique and not null."""
    if not has_tested_primary_key(snapshot.columns, snapshot.tests):
        return RuleViolation(VIOLATION)
    return None
