"""On the real reference files: the build passes with only the documented
orphan warnings, dim_customers reproduces the course's per-customer table
(computed here independently with pandas) and revenue reconciles per file."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from dbt_checks import unexpected_results, warn_severity_tests

ALIASES = {"total_price": "price", "streamid": "stream_id", "timesviewed": "times_viewed"}


@pytest.fixture(scope="module")
def reference_warehouse(reference_dir, dbt_warehouse_factory):
    warehouse = dbt_warehouse_factory("reference")
    warehouse.load(reference_dir)
    warehouse.build()
    return warehouse


def _frame(warehouse, sql: str) -> pd.DataFrame:
    """A query's result with its own column names (no positions to keep in step)."""
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        return con.sql(sql).df()


@pytest.fixture(scope="module")
def course_table(reference_dir: Path) -> pd.DataFrame:
    """The course's per-customer table, straight from the SQLite file and the CSV."""
    with sqlite3.connect(reference_dir / "aavail-customers.db") as con:
        customers = pd.read_sql("select * from CUSTOMER", con)
        countries = pd.read_sql("select * from COUNTRY", con)
        plans = pd.read_sql("select * from INVOICE_ITEM", con)
    customers = customers.drop(columns="generated_id").drop_duplicates()
    streams = pd.read_csv(reference_dir / "aavail-streams.csv", dtype={"stream_id": str})
    distinct_streams = streams.drop_duplicates()
    per_customer = distinct_streams.groupby("customer_id").agg(
        is_subscriber=("subscription_stopped", lambda s: not (s == 1).any()),
        num_streams=("stream_id", "count"),  # count() skips blank stream ids
        plan_id=("invoice_item_id", "first"),
    )
    per_customer["num_streams_with_duplicates"] = streams.groupby("customer_id")[
        "stream_id"
    ].count()
    table = (
        customers.merge(countries[["country_id", "country_name"]], on="country_id")
        .merge(per_customer.reset_index(), on="customer_id")
        .merge(plans, left_on="plan_id", right_on="invoice_item_id")
    )
    table["customer_name"] = table["first_name"] + " " + table["last_name"]
    return table.rename(columns={"invoice_item": "subscriber_type"}).set_index("customer_id")


def test_build_warns_only_on_documented_orphans(reference_warehouse):
    results = reference_warehouse.build_results
    manifest = reference_warehouse.build_manifest
    assert unexpected_results(results, warn_severity_tests(manifest)) == []
    # The orphans are real in the reference files: the billing customer id's
    # relationship test (configured to warn) does warn there.
    warned = [
        manifest["nodes"][r["unique_id"]] for r in results["results"] if r["status"] == "warn"
    ]
    assert [
        (test["test_metadata"]["name"], test["attached_node"], test["column_name"])
        for test in warned
    ] == [("relationships", "model.aavail.fct_invoice_lines", "customer_id")]


def test_dim_customers_reproduces_the_course_table(reference_warehouse, course_table):
    mart = (
        _frame(reference_warehouse, "select * from marts.dim_customers")
        .set_index("customer_id")
        .sort_index()
    )
    course = course_table.sort_index()
    assert len(mart) == len(course) == 1000
    assert list(mart.index) == list(course.index)
    assert (mart["customer_name"] == course["customer_name"]).all()
    canonical = {"singapore": "Singapore", "united_states": "United States"}
    assert (mart["country_name"] == course["country_name"].map(canonical)).all()
    assert (mart["is_subscriber"] == course["is_subscriber"]).all()
    assert (mart["subscriber_type"] == course["subscriber_type"]).all()
    assert (mart["num_streams"] == course["num_streams"]).all()
    # The course counted duplicates too: that differs for exactly 4 customers.
    assert (course["num_streams"] != course["num_streams_with_duplicates"]).sum() == 4
    assert (~course["is_subscriber"]).sum() == 289


def test_duplicates_removed_match_the_reference_readme(reference_warehouse):
    # README facts: 7 duplicated customers, 8 duplicate stream rows, 94 + 214 invoice lines.
    report = _frame(reference_warehouse, "select * from marts.rpt_source_deduplication")
    columns = ["num_rows_landed", "num_rows_kept", "num_duplicate_rows"]
    counts = {
        table: tuple(int(row[column]) for column in columns)
        for table, row in report.set_index("source_table").iterrows()
    }
    assert counts == {
        "raw_billing.invoice_lines": (29246, 28938, 308),
        "raw_crm.customer": (1007, 1000, 7),
        "raw_streaming.streams": (18859, 18851, 8),
    }


def test_ages_are_non_negative_and_birth_years_keep_their_two_digits(reference_warehouse):
    rows = reference_warehouse.query(
        "select customers.birth_date_text, marts.birth_date, marts.age"
        " from marts.dim_customers as marts"
        " join staging.stg_crm__customers as customers using (customer_id)"
    )
    today = dt.date.today()
    assert all(age >= 0 for _, _, age in rows)
    for text, birth_date, _ in rows:
        month, day, year = (int(part) for part in text.split("/"))
        assert (birth_date.month, birth_date.day, birth_date.year % 100) == (month, day, year)
        assert birth_date <= today
    # Two-digit years 63..99 are last century: none of them became 2063.
    assert min(birth_date for _, birth_date, _ in rows).year == 1963


def _file_lines(path: Path) -> pd.DataFrame:
    records = json.loads(path.read_text())
    return pd.DataFrame(
        [{ALIASES.get(k.lower(), k.lower()): v for k, v in r.items()} for r in records]
    )


@pytest.mark.parametrize(
    ("file_name", "month", "landed_revenue"),
    [
        ("invoices-2017-11.json", "2017-11-01", Decimal("41152.75")),
        ("invoices-2019-12.json", "2019-12-01", Decimal("113233.16")),
    ],
)
def test_revenue_reconciles_per_month_file(
    reference_warehouse, reference_dir, file_name, month, landed_revenue
):
    lines = _file_lines(reference_dir / "invoices" / file_name)
    all_prices = sum((Decimal(str(p)) for p in lines["price"]), Decimal("0"))
    assert all_prices.quantize(Decimal("0.01")) == landed_revenue
    distinct = lines.astype(str).drop_duplicates()
    distinct_revenue = sum((Decimal(p) for p in distinct["price"]), Decimal("0"))

    [(mart_revenue, landed)] = reference_warehouse.query(
        "select sum(price), sum(price * num_landed_copies) from marts.fct_invoice_lines"
        f" where invoice_month = '{month}'"
    )
    [(daily_revenue,)] = reference_warehouse.query(
        "select sum(revenue) from marts.fct_daily_revenue"
        f" where date_trunc('month', revenue_date) = '{month}'"
    )
    assert mart_revenue == daily_revenue == distinct_revenue
    assert landed == landed_revenue


def test_each_numeric_invoice_id_is_one_invoice(reference_warehouse, reference_dir):
    # What holds in the real files: a cancellation (`C...`) has a number of its own,
    # never its sale's, so the numeric id (letters stripped) keys fct_invoices.
    codes = {
        str(code)
        for path in sorted((reference_dir / "invoices").glob("*.json"))
        for code in _file_lines(path)["invoice"]
    }
    numbers = {"".join(ch for ch in code if ch.isdigit()) for code in codes}
    cancellations = {code for code in codes if code.startswith("C")}
    assert len(cancellations) > 100
    assert len(numbers) == len(codes)
    assert not {code[1:] for code in cancellations} & codes
    invoices = _frame(reference_warehouse, "select * from marts.fct_invoices")
    assert invoices["invoice_id"].is_unique
    assert set(invoices["invoice_code"]) == codes and len(invoices) == len(codes)
    assert set(invoices.loc[invoices["invoice_code"].isin(cancellations), "invoice_type"]) == {
        "cancellation"
    }
