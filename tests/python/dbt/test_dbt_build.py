"""`dbt build` on a generated warehouse: everything passes, nothing warns,
the layers land in the right schemas and revenue reconciles with the files."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
from dbt_checks import unexpected_results

MARTS = {
    "dim_customers",
    "dim_countries",
    "dim_plans",
    "fct_streams",
    "fct_invoice_lines",
    "fct_invoices",
    "fct_daily_revenue_by_country",
    "fct_daily_revenue",
}
# layers whose models readers use (published, queried): `access: public`
READER_LAYERS = frozenset({"marts", "reports", "ml"})
ALIASES = {"total_price": "price", "streamid": "stream_id", "timesviewed": "times_viewed"}


def test_build_has_no_errors_and_no_warnings(built_warehouse):
    # Generated billing ids all exist in the CRM: not even the orphan check may warn.
    assert unexpected_results(built_warehouse.build_results, frozenset()) == []
    kinds = {r["unique_id"].split(".")[0] for r in built_warehouse.build_results["results"]}
    assert {"model", "test", "seed", "snapshot", "unit_test"} <= kinds


def test_build_log_has_no_warning_or_deprecation(built_warehouse):
    lines = built_warehouse.build_output.splitlines()
    noisy = [
        line
        for line in lines
        if re.search(r"warning|deprecat", line, re.IGNORECASE) or re.search(r"\bWARN\b(?!=0)", line)
    ]
    assert noisy == []


def test_layers_are_in_their_schemas(built_warehouse):
    rows = built_warehouse.query(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema not like 'raw_%'"
    )
    schemas = {schema for schema, _ in rows}
    assert schemas <= {"staging", "intermediate", "marts", "ml", "snapshots"}
    assert {"staging", "intermediate", "marts", "snapshots"} <= schemas
    assert {name for schema, name in rows if schema == "marts"} >= MARTS
    # the reports layer has no schema of its own: its models are built in marts
    reports = {
        node["name"]
        for node in built_warehouse.build_manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "reports"
    }
    assert reports and reports <= {name for schema, name in rows if schema == "marts"}


def _distinct_file_lines(source_dir: Path) -> pd.DataFrame:
    """Every billing record of the files, field names mapped, exact duplicates dropped."""
    frames = []
    for path in sorted((source_dir / "invoices").rglob("*.json")):
        records = json.loads(path.read_text())
        frame = pd.DataFrame(
            [{ALIASES.get(k.lower(), k.lower()): v for k, v in r.items()} for r in records]
        )
        frames.append(frame)
    lines = pd.concat(frames, ignore_index=True)
    return lines.astype(str).drop_duplicates().assign(price=lambda f: f["price"].map(Decimal))


def test_revenue_reconciles_with_the_files_to_the_cent(built_warehouse):
    lines = _distinct_file_lines(built_warehouse.sources)
    expected = sum((p.quantize(Decimal("0.01")) for p in lines["price"]), Decimal("0"))
    [(daily,)] = built_warehouse.query("select sum(revenue) from marts.fct_daily_revenue")
    [(by_country,)] = built_warehouse.query(
        "select sum(revenue) from marts.fct_daily_revenue_by_country"
    )
    [(line_count,)] = built_warehouse.query("select count(*) from marts.fct_invoice_lines")
    assert daily == expected
    assert by_country == expected
    assert line_count == len(lines)


def test_daily_revenue_has_every_day_once(built_warehouse):
    [(days, first, last, distinct_days)] = built_warehouse.query(
        "select count(*), min(revenue_date), max(revenue_date), count(distinct revenue_date)"
        " from marts.fct_daily_revenue"
    )
    assert days == distinct_days == (last - first).days + 1
    [(countries,)] = built_warehouse.query(
        "select count(distinct country_name) from marts.fct_invoice_lines"
    )
    [(country_days,)] = built_warehouse.query(
        "select count(*) from marts.fct_daily_revenue_by_country"
    )
    assert country_days == days * countries


def test_docs_site_was_generated(built_warehouse):
    assert (built_warehouse.target_dir / "index.html").is_file()
    manifest = built_warehouse.manifest  # of `dbt docs generate`
    models = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"].get("enabled", True)
    }
    assert models and models <= set(built_warehouse.catalog["nodes"])
    # the Overview shows the glossary exactly as the doc block writes it
    docs = manifest["docs"]
    glossary = docs["doc.aavail.glossary"]["block_contents"]
    assert glossary and glossary in docs["doc.aavail.__overview__"]["block_contents"]
    for exposure in manifest["exposures"].values():
        assert exposure["owner"]["email"], exposure["name"]
        assert set(exposure["depends_on"]["nodes"]) <= models, exposure["name"]


def test_every_model_has_an_owning_group_and_readers_models_are_public(built_warehouse):
    manifest = built_warehouse.build_manifest
    owners = {group["name"]: group["owner"] for group in manifest["groups"].values()}
    assert all(owner.get("name") and owner.get("email") for owner in owners.values())
    groups: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["package_name"] != "aavail":
            continue
        layer = node["fqn"][1]
        assert node["group"] in owners, node["name"]
        groups.setdefault(layer, set()).add(node["group"])
        expected = (
            "public" if layer in READER_LAYERS else "private" if layer == "staging" else "protected"
        )
        assert node["access"] == expected, (node["name"], node["access"])
    # one owner per layer; the ml tables are another team's than the marts and reports
    assert all(len(names) == 1 for names in groups.values()), groups
    assert groups["reports"] == groups["marts"] != groups["ml"]
