"""One consistent universe: ids, plans, dates and cancellations agree across sources."""

from __future__ import annotations

import duckdb

from python_loaders.generator import generate_sources


def one(db: duckdb.DuckDBPyConnection, sql: str):
    return db.execute(sql).fetchone()[0]


def test_stream_customers_are_crm_customers(sources_db):
    assert one(sources_db, "select count(*) from streams") > 0
    assert (
        one(
            sources_db,
            "select count(*) from streams s anti join customer c"
            " on c.customer_id = s.customer_id::bigint",
        )
        == 0
    )
    assert one(sources_db, "select count(distinct customer_id) from streams") == one(
        sources_db, "select count(distinct customer_id) from customer"
    )


def test_invoice_line_customers_are_crm_customers(sources_db):
    assert one(sources_db, "select count(customer_id) from lines") > 0
    assert (
        one(
            sources_db,
            "select count(*) from lines l anti join customer c"
            " on c.customer_id = l.customer_id where l.customer_id is not null",
        )
        == 0
    )
    assert (
        one(sources_db, "select count(*) from lines where customer_id != round(customer_id)") == 0
    )


def test_stream_plan_equals_subscription_plan(sources_db):
    assert (
        one(
            sources_db,
            "select count(*) from streams s join invoice i"
            " on i.customer_id = s.customer_id::bigint"
            " where s.invoice_item_id::double != i.invoice_item_id",
        )
        == 0
    )
    assert (
        one(sources_db, "select count(*) from invoice where invoice_item_id not in (1, 2, 3)") == 0
    )


def test_subscription_stopped_only_on_last_row_of_cancelling_customers(sources_db):
    not_last = one(
        sources_db,
        """
        with numbered as (
            select customer_id, subscription_stopped,
                   date::date as day,
                   max(date::date) over (partition by customer_id) as last_day
            from streams
        )
        select count(*) from numbered where subscription_stopped = '1' and day < last_day
        """,
    )
    assert not_last == 0
    per_customer = sources_db.execute(
        "select customer_id, sum(subscription_stopped::int) as stops from streams group by 1"
    ).fetchall()
    assert max(stops for _, stops in per_customer) == 1
    share = sum(stops for _, stops in per_customer) / len(per_customer)
    assert 0.20 <= share <= 0.38  # ~29% cancel


def test_signup_and_last_stream_bracket_the_stream_dates(sources_db):
    bad = one(
        sources_db,
        """
        with spans as (
            select customer_id::bigint as customer_id,
                   min(date::date) as first_day, max(date::date) as last_day
            from streams group by 1
        )
        select count(*) from spans join invoice using (customer_id)
        where signup_date::date > first_day or last_stream::date < last_day
           or first_day - signup_date::date > 10 or last_stream::date - last_day > 10
        """,
    )
    assert bad == 0


def test_invoice_dates_lie_in_their_file_month(sources_db):
    assert (
        one(
            sources_db,
            "select count(*) from lines where filename not like"
            " '%invoices-' || year || '-' || month || '.json'",
        )
        == 0
    )
    assert (
        one(
            sources_db,
            "select count(*) from lines where try_cast(year || '-' || month"
            " || '-' || day as date) is null",
        )
        == 0
    )


def test_lines_are_in_day_order_within_each_file(sources_db):
    unordered = one(
        sources_db,
        """
        select count(*) from (
            select day, lag(day) over (partition by filename order by rowid) as previous_day
            from lines
        ) where day < previous_day
        """,
    )
    assert unordered == 0


def test_each_invoice_has_one_country_and_one_customer(tmp_path):
    """As in the reference files: an invoice's lines share its country and customer.

    100,000 lines, so that rare line kinds (house codes, always billed in the UK) land
    inside invoices of other countries often enough to show a mixed invoice.
    """
    generate_sources(tmp_path, seed=7, customers=200, invoice_lines=100_000, quiet=True)
    lines = f"read_json('{tmp_path}/invoices/*.json', union_by_name = true)"
    db = duckdb.connect()
    assert one(db, f"select count(distinct invoice) from {lines}") > 1000
    mixed = one(
        db,
        f"select count(*) from (select invoice from {lines} group by invoice"
        " having count(distinct country) > 1"
        " or count(distinct coalesce(customer_id, -1)) > 1)",
    )
    assert mixed == 0
