"""Is the published build still current? Then `run` skips rebuilding it.

A `run` whose load landed nothing new would rebuild, re-publish and re-document
exactly what readers already have, at dbt's fixed cost of several seconds. The
published build is still current when all of these hold:

- the published file (`meta.publication`) holds the warehouse's latest dbt
  command, a green `dbt build` (`raw_meta.dbt_invocations`), so no failed,
  partial or newer build came after it;
- no load that changed raw data (landed, moved or pruned a file, or did not
  finish cleanly) finished after that build started (`raw_meta.loads`);
- no dbt input of the project (models, macros, dbt tests, seeds, snapshots,
  analyses, dbt_project.yml, profiles.yml) was modified after it started;
- it started on today's UTC date (ages in dim_customers are at today's date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from python_loaders.publishing.publish import read_publication

# What dbt reads from the project: a change to any of them needs a build.
DBT_INPUTS: tuple[str, ...] = (
    "models",
    "macros",
    "tests/dbt",
    "seeds",
    "snapshots",
    "analyses",
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "packages.yml",
)

_CHANGING_LOADS = """
    select count(*) from raw_meta.loads
    where
        (finished_at is null or finished_at >= $1)
        and (
            status <> 'succeeded'
            or coalesce(files_landed, 1) + coalesce(files_moved, 0) + coalesce(files_pruned, 0) > 0
        )
"""


@dataclass(frozen=True)
class CurrentBuild:
    """The published green build that nothing has changed since."""

    invocation_id: str
    started_at: dt.datetime  # UTC, naive (as recorded)


def newest_input_change(project: Path) -> float:
    """The newest modification time (epoch seconds) among the project's dbt inputs."""
    newest = 0.0
    for name in DBT_INPUTS:
        path = project / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for file in path.rglob("*"):
                if file.is_file():
                    newest = max(newest, file.stat().st_mtime)
    return newest


def current_build(
    warehouse: Path, analytics: Path, project: Path, *, today: dt.date | None = None
) -> CurrentBuild | None:
    """The published build when it is still current (see the module docstring), else None."""
    publication = read_publication(analytics)
    if publication is None or not warehouse.is_file():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(has_audit,)] = con.execute(
            "select count(*) from duckdb_tables()"
            " where schema_name = 'raw_meta' and table_name in ('dbt_invocations', 'loads')"
        ).fetchall()
        if has_audit != 2:
            return None
        latest = con.execute(
            "select invocation_id, command, status, started_at from raw_meta.dbt_invocations"
            " order by started_at desc limit 1"
        ).fetchone()
        if latest is None:
            return None
        invocation_id, command, status, started_at = latest
        if (
            invocation_id != publication.get("invocation_id")
            or command != "build"
            or status != "success"
        ):
            return None
        [(changing_loads,)] = con.execute(_CHANGING_LOADS, [started_at]).fetchall()
    if changing_loads:
        return None
    if started_at.date() != (today or dt.datetime.now(dt.UTC).date()):
        return None
    if newest_input_change(project) >= started_at.replace(tzinfo=dt.UTC).timestamp():
        return None
    return CurrentBuild(invocation_id=str(invocation_id), started_at=started_at)
