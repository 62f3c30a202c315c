"""What `run` does with `dbt source freshness`, its first dbt step.

The thresholds are dbt's own, defined once in dbt_project.yml (`sources:`
`+freshness`: warn after 7 days without new rows, error after 30), read from
each raw table's `_loaded_at`. A stale source does not stop the job: the build
of what has landed is still correct, and stopping would also hold back the
fresh data of the other sources (and fail `make run` on an old sample folder).
So a table past either threshold gives one `warning:` line naming it, and the
job goes on. dbt itself exits 1 when a table is past `error_after`, so a
scheduler running `dbt source freshness` alone still sees it.

A freshness check that could not run (a query failed: `runtime error`, or dbt
stopped with an error, such as the on-run-start checks on a warehouse without
raw data) stops the job like any failing step: the build would fail the same way.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

FRESHNESS_ARGS: tuple[str, ...] = ("source", "freshness")
#: Statuses of a check that ran: fresh, or stale past warn_after / error_after.
CHECKED = frozenset({"pass", "warn", "error"})
STALE = frozenset({"warn", "error"})
SECONDS_PER_DAY = 86_400
RESULTS_FILE = "sources.json"


@dataclass(frozen=True)
class SourceFreshness:
    """One source table's result in dbt's sources.json."""

    source: str  # `crm.customer`
    status: str  # pass, warn, error, runtime error
    age_days: float | None  # since the newest `_loaded_at`; None when not measured


def target_dir(project: Path) -> Path:
    """Where dbt writes its artifacts: $DBT_TARGET_PATH, else the project's `target-path`
    (relative paths are relative to the project)."""
    configured = os.environ.get("DBT_TARGET_PATH")
    if not configured:
        settings = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))
        configured = str((settings or {}).get("target-path") or "target")
    target = Path(configured).expanduser()
    return target if target.is_absolute() else project / target


def _json(path: Path) -> dict | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _name(unique_id: str) -> str:
    """`source.aavail.crm.customer` -> `crm.customer`."""
    return unique_id.split(".", 2)[-1]


def read_results(target: Path) -> list[SourceFreshness] | None:
    """The results in `target`/sources.json, or None when dbt wrote none."""
    loaded = _json(target / RESULTS_FILE)
    if loaded is None or not isinstance(loaded.get("results"), list):
        return None
    found = []
    for result in loaded["results"]:
        age = result.get("max_loaded_at_time_ago_in_s")
        found.append(
            SourceFreshness(
                _name(str(result.get("unique_id", ""))),
                str(result.get("status")),
                None if age is None else age / SECONDS_PER_DAY,
            )
        )
    return found


def checked_sources(target: Path) -> set[str] | None:
    """The source tables the run had to check (a threshold and a `loaded_at_field` set),
    from the manifest.json it wrote; None when there is none. sources.json leaves out a
    table whose check failed with a runtime error, so only this tells that one is missing."""
    manifest = _json(target / "manifest.json")
    if manifest is None:
        return None
    return {
        _name(unique_id)
        for unique_id, source in manifest.get("sources", {}).items()
        if (source.get("loaded_at_field") or source.get("loaded_at_query"))
        and any(
            ((source.get("freshness") or {}).get(key) or {}).get("count")
            for key in ("warn_after", "error_after")
        )
    }


def stale_warning(results: list[SourceFreshness]) -> str | None:
    """One line naming every stale table and its age, or None when all are fresh."""
    stale = [r for r in results if r.status in STALE]
    if not stale:
        return None
    tables = ", ".join(
        f"{r.source} ({r.age_days:.0f} days"
        + (", past error_after)" if r.status == "error" else ")")
        if r.age_days is not None
        else r.source
        for r in stale
    )
    return (
        f"warning: stale sources, no new rows landed for longer than freshness allows: {tables};"
        " the job goes on with the data landed (thresholds: dbt_project.yml `sources:`)"
    )


def outcome(
    exit_code: int, results: list[SourceFreshness] | None, expected: set[str] | None
) -> tuple[int, str | None]:
    """The step's exit code and the warning to print, from dbt's exit code, its results
    and the tables it had to check.

    0 when every expected table was checked, fresh or stale (dbt exits 1 when one is
    past `error_after`); otherwise dbt's exit code (1 when dbt said 0 but a table is
    missing from the results).
    """
    measured = {r.source for r in results or [] if r.status in CHECKED}
    complete = results is not None and expected is not None and expected <= measured
    if exit_code in (0, 1) and complete:
        return 0, stale_warning(results or [])
    return exit_code or 1, None
