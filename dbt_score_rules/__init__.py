"""The AAVAIL project's own dbt-score rules (the conventions of docs/architecture and README).

dbt-score loads every rule in this package (`rule_namespaces` in pyproject.toml's
`[tool.dbt-score]`), next to its built-in rules:

- `layers`: naming by layer, `source()` only in staging, no model reading a later layer;
- `keys`: every model, seed and snapshot has a tested primary key;
- `docs`: sources, snapshots and the parents of every exposure are fully described;
- `contracts`: every mart enforces its contract.

Run `make lint` (or `.venv/bin/dbt-score lint --manifest target/manifest.json`).
"""

# No `from __future__ import annotations` in the rule modules: dbt-score reads the
# evaluated type annotation of each rule's argument (Model, Source, ...) to know
# what it applies to.
