"""The semantic layer's definitions: complete, documented, valid against the
published copy, and built on published (non-personal) columns only."""

from __future__ import annotations

import re

METRICS = {
    "revenue",
    "invoice_lines",
    "invoices",
    "streams",
    "customers",
    "subscribers",
    "churned_customers",
    "churn_rate",
    "revenue_per_customer",
    "active_subscribers",
}
SAVED_QUERIES = {"monthly_revenue_by_country", "churn_rate_by_plan", "subscribers_over_time"}
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def _personal(node: dict) -> set[str]:
    out = set()
    for name, column in (node.get("columns") or {}).items():
        config = column.get("config") or {}
        meta = {**(column.get("meta") or {}), **(config.get("meta") or {})}
        tags = set(column.get("tags") or []) | set(config.get("tags") or [])
        if meta.get("personal_data") or "personal_data" in tags:
            out.add(name.lower())
    return out


def test_every_required_metric_and_saved_query_exists_documented(semantic_layer):
    metrics = {m["name"]: m for m in semantic_layer.manifest["metrics"].values()}
    assert set(metrics) >= METRICS
    for name, metric in metrics.items():
        assert metric["label"].strip() and metric["description"].strip(), name
    assert {m["type"] for m in metrics.values()} >= {"simple", "ratio", "cumulative", "derived"}
    saved = {q["name"]: q for q in semantic_layer.manifest["saved_queries"].values()}
    assert set(saved) >= SAVED_QUERIES
    assert all(q["description"].strip() for q in saved.values())


def test_semantic_models_use_no_personal_column(semantic_layer):
    nodes = semantic_layer.manifest["nodes"]
    marked = {uid: _personal(node) for uid, node in nodes.items()}
    # the marking is in place: dim_customers has personal columns to avoid
    assert marked["model.aavail.dim_customers"] >= {"first_name", "last_name", "birth_date"}
    for model in semantic_layer.manifest["semantic_models"].values():
        [node_id] = model["depends_on"]["nodes"]
        used = set()
        for element in (*model["entities"], *model["dimensions"], *model["measures"]):
            used |= set(IDENTIFIER.findall((element.get("expr") or element["name"]).lower()))
        assert used & marked[node_id] == set(), model["name"]


def test_mf_validate_configs_passes_against_the_published_copy(semantic_layer):
    result = semantic_layer.results["validate"]
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Breaking issues" not in output and "ERROR:" not in output
    # the warehouse checks ran: every dimension, measure and metric queried on the published file
    for step in ("semantic models", "dimensions", "entities", "measures", "metrics"):
        assert f"Successfully validated {step} against data warehouse" in output, step


def test_mf_list_metrics_names_every_metric(semantic_layer):
    result = semantic_layer.results["list_metrics"]
    assert result.returncode == 0, result.stdout + result.stderr
    listed = set(re.findall(r"^• (\w+):", result.stdout, re.MULTILINE))
    assert listed == {m["name"] for m in semantic_layer.manifest["metrics"].values()}


def test_time_spine_has_every_day_of_the_years_with_events(semantic_layer):
    [(first, last, days, distinct_days)] = semantic_layer.published(
        "select min(date_day), max(date_day), count(*), count(distinct date_day)"
        " from marts.dim_dates"
    )
    [(first_event, last_event)] = semantic_layer.published(
        "select min(d), max(d) from ("
        " select invoice_date as d from marts.fct_invoice_lines"
        " union all select stream_date from marts.fct_streams"
        " union all select signup_date from marts.dim_customers)"
    )
    assert (first.month, first.day) == (1, 1) and first.year == first_event.year
    assert (last.month, last.day) == (12, 31) and last.year == last_event.year
    assert days == distinct_days == (last - first).days + 1
