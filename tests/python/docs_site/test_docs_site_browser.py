"""The dbt docs site in a real headless Chromium, as an analyst uses it (see conftest.py).

Expected values come from the project's own files (docs/overview.md, model YAML)
and from SQL on the published file, never from the code that renders the page.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import deque

import duckdb
import pytest
from PIL import Image

GRAPH_JS = """() => {
    const graph = angular.element(document.body).injector().get('graph').graph;
    const elements = graph.elements || [];
    return {
        nodes: elements.filter(e => !e.data.source && !e.data.hidden)
                       .map(e => [e.data.id, e.data.label]),
        edges: elements.filter(e => e.data.source).map(e => [e.data.source, e.data.target]),
    };
}"""


# The visible column rows of a model page: first cell (the column name) -> the row's text.
COLUMN_ROWS_JS = """() => Object.fromEntries(
    Array.from(document.querySelectorAll('table tr'))
        .filter(row => row.offsetParent !== null && row.cells.length > 2)
        .map(row => [row.cells[0].innerText.trim(), row.innerText]))"""


def _open(page, docs_site, route: str) -> None:
    page.goto(f"{docs_site.url}/index.html#!/{route}")
    page.wait_for_selector("h1")


def test_overview_tells_the_aavail_story(page, docs_site, artifacts, project_dir):
    overview = (project_dir / "docs" / "overview.md").read_text()
    assert "# AAVAIL analytics warehouse" in overview  # the heading this test looks for
    _open(page, docs_site, "overview")
    assert page.locator("h1", has_text="AAVAIL analytics warehouse").is_visible()
    body = page.inner_text("body")
    for phrase in ("three source systems", "Layers", "Charts", "How to query", "make sql"):
        assert phrase in body, phrase
    page.screenshot(path=str(artifacts / "overview.png"))


def test_search_for_dim_customers_finds_it_and_opens_its_page(page, docs_site, artifacts):
    _open(page, docs_site, "overview")
    page.fill("input[placeholder='Search for models...']", "dim_customers")
    title = page.locator("h4", has_text=re.compile(r"^\s*dim_customers\s+model\s*$"))
    result = page.locator(".search-result", has=title)
    result.first.wait_for()
    assert result.count() == 1
    assert "One row per CRM customer" in result.inner_text()
    page.screenshot(path=str(artifacts / "search-dim_customers.png"))
    result.click()
    page.wait_for_url("**/model/model.aavail.dim_customers**")
    assert page.locator("h1", has_text="dim_customers").is_visible()


def test_dim_customers_page_lists_described_columns_and_marks_personal_data(
    page, docs_site, artifacts, built_warehouse
):
    node = built_warehouse.manifest["nodes"]["model.aavail.dim_customers"]
    personal = [n for n, c in node["columns"].items() if c["config"]["meta"].get("personal_data")]
    other = [n for n in node["columns"] if n not in personal]
    assert personal, "helper D's personal_data marking is missing from dim_customers' YAML"
    _open(page, docs_site, "model/model.aavail.dim_customers")
    page.get_by_text("Columns", exact=True).first.wait_for()
    rows = page.evaluate(COLUMN_ROWS_JS)
    for name, column in node["columns"].items():
        assert name in rows, f"column {name} not listed"
        first_words = " ".join(column["description"].replace("`", "").split()[:3])
        assert first_words in " ".join(rows[name].replace("`", "").split()), name
    table = page.locator("table").first

    def name_cell(name: str):
        return table.locator("tr > td:first-child", has_text=re.compile(rf"^\s*{name}\s*$"))

    def details(name: str) -> str:
        name_cell(name).click()  # a reader opens the column's details
        text = table.locator("tr", has_text="Details").filter(visible=True).first.inner_text()
        name_cell(name).click()
        # the meta block comes between "Details" and "Description"; the site upper-cases its keys
        meta = text.split("Description", 1)[0]
        return " ".join(meta.lower().split())

    for name in personal:  # the meta key and its value, shown in the column's details
        assert details(name) == "details personal_data true", name
    for name in other[:3]:
        assert "personal_data" not in details(name), name
    name_cell(personal[0]).click()
    page.screenshot(path=str(artifacts / "dim_customers-columns.png"), full_page=True)


def _reachable(edges: list[list[str]], start: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
    seen, queue = {start}, deque([start])
    while queue:
        for child in children.get(queue.popleft(), []):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen


def test_lineage_graph_runs_sources_staging_marts_ml_exposures(page, docs_site, artifacts):
    _open(page, docs_site, "overview")
    page.click("a[title='View Lineage Graph']")
    page.wait_for_function(
        "() => (angular.element(document.body).injector().get('graph').graph.elements||[]).length"
    )
    page.wait_for_timeout(1500)  # let the layout settle before the screenshot
    page.screenshot(path=str(artifacts / "lineage-graph.png"))
    graph = page.evaluate(GRAPH_JS)
    labels = {node_id: label for node_id, label in graph["nodes"]}
    chain = [
        ("source.aavail.crm.customer", "crm.customer"),
        ("model.aavail.stg_crm__customers", "stg_crm__customers"),
        ("model.aavail.dim_customers", "dim_customers"),
        ("model.aavail.customer_churn_features", "customer_churn_features"),
        ("exposure.aavail.ml_notebooks", None),
    ]
    for node_id, label in chain:
        assert node_id in labels, f"{node_id} not shown in the graph"
        if label:
            assert labels[node_id] == label
    assert labels["exposure.aavail.ml_notebooks"].startswith("Data scientists' notebooks")
    for (upstream, _), (downstream, _) in itertools.pairwise(chain):
        assert downstream in _reachable(graph["edges"], upstream), (upstream, downstream)
    kinds = {node_id.split(".")[0] for node_id in labels}
    assert {"source", "model", "exposure"} <= kinds
    # every layer shows up as nodes
    for prefix in ("stg_", "int_", "dim_", "fct_"):
        assert any(label.startswith(prefix) for label in labels.values()), prefix


def _distinct_colours(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 24))


def test_charts_on_the_overview_load_and_are_not_blank(page, docs_site, artifacts):
    _open(page, docs_site, "overview")
    images = page.locator("img[src^='assets/charts/']")
    images.first.wait_for()
    sources = images.evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    assert len(sources) == 5, sources
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.evaluate("img => img.naturalWidth") > 0, sources[index]
        shot = image.screenshot()
        assert _distinct_colours(shot) > 20, f"{sources[index]} looks blank"
        name = sources[index].rsplit("/", 1)[-1]
        (artifacts / f"overview-{name}").write_bytes(shot)


def _table(page, table_id: str) -> list[dict[str, str]]:
    return page.evaluate(
        """id => Array.from(document.querySelectorAll(`#${id} tr`)).slice(1).map(row =>
            Object.fromEntries(Array.from(row.cells).map(c => [c.dataset.column, c.innerText])))""",
        table_id,
    )


def test_report_page_figures_equal_the_published_marts(page, docs_site, artifacts):
    _open(page, docs_site, "overview")
    page.get_by_text("the charts report page").click()
    page.wait_for_url("**/assets/charts/report.html")
    page.wait_for_selector("#totals")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    widths = page.evaluate("() => Array.from(document.images).map(i => i.naturalWidth)")
    assert len(widths) == 5 and all(width > 0 for width in widths), widths
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)
    totals = {row["figure"]: row["value"] for row in _table(page, "totals")}
    by_country = {row["country_name"]: row["revenue"] for row in _table(page, "revenue-by-country")}
    by_plan = {row["group_name"]: row for row in _table(page, "churn-by-plan")}

    with duckdb.connect(str(docs_site.analytics), read_only=True) as con:
        # from the per-country fact, not the daily one the page's total reads
        total = con.execute(
            "select sum(revenue) from marts.fct_daily_revenue_by_country"
        ).fetchone()[0]
        lines_total = con.execute("select sum(price) from marts.fct_invoice_lines").fetchone()[0]
        top = con.execute(
            "select country_name, sum(price) from marts.fct_invoice_lines"
            " group by 1 order by 2 desc, 1 limit 5"
        ).fetchall()
        customers = con.sql("select subscriber_type, is_subscriber from marts.dim_customers").df()
        subscribers = con.execute(
            "select count(*) from marts.dim_customers where is_subscriber"
        ).fetchone()[0]
    assert totals["total_revenue"] == f"{total:.2f}" == f"{lines_total:.2f}"
    assert totals["subscribers"] == str(subscribers)
    for country, revenue in top:
        assert by_country[country] == f"{revenue:.2f}", country
    others = lines_total - sum(revenue for _, revenue in top)
    assert by_country["Other countries"] == f"{others:.2f}"

    plans = customers.dropna(subset=["subscriber_type"]).groupby("subscriber_type")["is_subscriber"]
    assert set(by_plan) == set(plans.groups)
    for plan, flags in plans:
        churned = int((~flags.astype(bool)).sum())
        assert by_plan[plan]["subscribed_customers"] == str(len(flags)), plan
        assert by_plan[plan]["churned_customers"] == str(churned), plan
        assert float(by_plan[plan]["churn_rate"]) == pytest.approx(churned / len(flags), abs=5e-5)
