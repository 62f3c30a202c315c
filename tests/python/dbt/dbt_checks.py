"""Checks over dbt artifacts (run_results.json, manifest.json, catalog.json).

Plain functions returning the list of problems found, so the tests can both
apply them to the real build and prove on small hand-made artifacts that they
do find gaps.
"""

from __future__ import annotations

PROJECT = "aavail"

OK_STATUSES = frozenset({"success", "pass"})
DOCUMENTED_RESOURCES = frozenset({"model", "seed", "snapshot"})


def _unique_id_prefix(unique_id: str) -> str:
    """Generic test ids end in a hash (`test.aavail.name.abc123`): drop it."""
    parts = unique_id.split(".")
    return ".".join(parts[:3])


def warn_severity_tests(manifest: dict) -> frozenset[str]:
    """The project's tests configured `severity: warn` (by unique id without its hash):
    the only ones whose warnings are documented (e.g. billing customer ids unknown to
    the CRM, real in the reference files). Read from the manifest, not from dbt's
    generated test names."""
    return frozenset(
        _unique_id_prefix(unique_id)
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and node.get("package_name") == PROJECT
        and str((node.get("config") or {}).get("severity", "")).lower() == "warn"
    )


def unexpected_results(run_results: dict, allowed_warnings: frozenset[str]) -> list[str]:
    """Every node of the run that neither succeeded nor is an allowed warning."""
    problems = []
    for result in run_results["results"]:
        status = result["status"]
        if status in OK_STATUSES:
            continue
        # exposures, and saved queries without exports, are no-ops in every dbt build
        if status == "no-op" and result["unique_id"].startswith(("exposure.", "saved_query.")):
            continue
        if status == "warn" and _unique_id_prefix(result["unique_id"]) in allowed_warnings:
            continue
        problems.append(f"{result['unique_id']}: {status} {result.get('message') or ''}".strip())
    return problems


def undeclared_columns(manifest: dict, catalog: dict) -> list[str]:
    """Columns that exist in the built warehouse (catalog.json) but are not declared
    with a description in the YAML of their model, seed, snapshot or source.

    dbt-score (tests/python/conventions) checks every declared column is described,
    but reads only the manifest; a column the SQL adds without YAML is invisible
    to it. Marts' enforced contracts catch it there; this catches it everywhere.
    """
    problems = []
    resources = [
        (unique_id, node, catalog.get("nodes", {}).get(unique_id))
        for unique_id, node in manifest["nodes"].items()
        if node.get("package_name") == PROJECT and node["resource_type"] in DOCUMENTED_RESOURCES
    ] + [
        (unique_id, source, catalog.get("sources", {}).get(unique_id))
        for unique_id, source in manifest["sources"].items()
        if source["package_name"] == PROJECT
    ]
    for unique_id, node, built in resources:
        if built is None:
            continue
        described = {
            name.lower()
            for name, column in node.get("columns", {}).items()
            if (column.get("description") or "").strip()
        }
        problems += [
            f"{unique_id}: column {name} is built but not described in YAML"
            for name in sorted({name.lower() for name in built["columns"]} - described)
        ]
    return problems
