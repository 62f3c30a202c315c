"""`mf query` on the published copy returns the marts' figures.

Every expected value is plain SQL on the published file, written here by hand
and, where another mart holds the figure, read from that mart (daily revenue
from `fct_daily_revenue`, churn per plan from `dim_plans`), never MetricFlow's
SQL. The `mf` commands ran while other processes held the published file
(read-only) and the private warehouse (for writing): see conftest.py.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

CENT = Decimal("0.01")


def _sql(layer, sql: str) -> list[tuple]:
    """Plain SQL on the published file; DuckDB's date_trunc timestamps as dates."""
    return [
        tuple(v.date() if isinstance(v, datetime) else v for v in row)
        for row in layer.published(sql)
    ]


def _day(cell: str) -> date | None:
    return date.fromisoformat(cell[:10]) if cell else None


def _column(rows: list[dict[str, str]], keys: tuple[str, ...], metric: str, cast) -> dict:
    """{(key values...): value} of `metric`, rows where MetricFlow returned it (non-empty)."""
    out = {}
    for row in rows:
        if row[metric] == "":
            continue
        key = tuple(_day(row[k]) if k.startswith("metric_time") else row[k] for k in keys)
        out[key[0] if len(key) == 1 else key] = cast(row[metric])
    return out


def _money(cell: str) -> Decimal:
    return Decimal(cell).quantize(CENT)


def _close(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        assert math.isclose(actual[key], float(value), rel_tol=1e-9), key


def test_mf_ran_beside_a_reader_and_a_writer(semantic_layer):
    # the conditions the other tests' numbers were produced under
    assert semantic_layer.warehouse_was_locked
    assert semantic_layer.reader_was_connected
    for name, result in semantic_layer.results.items():
        assert result.returncode == 0, (
            f"mf {name}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )


def test_monthly_revenue_and_invoice_lines_equal_fct_daily_revenue(semantic_layer):
    rows = semantic_layer.rows("monthly")
    expected = _sql(
        semantic_layer,
        "select date_trunc('month', revenue_date), sum(revenue), sum(num_invoice_lines)"
        " from marts.fct_daily_revenue group by 1 having sum(num_invoice_lines) > 0",
    )
    assert len(expected) >= 12
    assert _column(rows, ("metric_time__month",), "revenue", _money) == {
        month: revenue for month, revenue, _ in expected
    }
    assert _column(rows, ("metric_time__month",), "invoice_lines", int) == {
        month: lines for month, _, lines in expected
    }


def test_monthly_invoices_streams_customers_and_subscribers_equal_the_marts(semantic_layer):
    rows = semantic_layer.rows("monthly")
    month = ("metric_time__month",)
    checks = {
        "invoices": "select date_trunc('month', invoice_date), count(*)"
        " from marts.fct_invoices group by 1",
        "streams": "select date_trunc('month', stream_date), count(*) filter (where has_stream_id)"
        " from marts.fct_streams group by 1",
        "customers": "select date_trunc('month', signup_date), count(*)"
        " from marts.dim_customers group by 1",
        "subscribers": "select date_trunc('month', signup_date),"
        " count(*) filter (where is_subscriber) from marts.dim_customers group by 1",
    }
    for metric, sql in checks.items():
        expected = dict(_sql(semantic_layer, sql))
        assert _column(rows, month, metric, int) == expected, metric
    # over all months, today's subscribers: the figure dim_plans holds
    [(subscribers,)] = _sql(semantic_layer, "select sum(num_subscribers) from marts.dim_plans")
    assert sum(_column(rows, month, "subscribers", int).values()) == subscribers > 0


def test_monthly_revenue_per_customer_is_revenue_over_distinct_billed_customers(semantic_layer):
    expected = dict(
        _sql(
            semantic_layer,
            "select date_trunc('month', invoice_date), sum(price) / count(distinct customer_id)"
            " from marts.fct_invoice_lines group by 1",
        )
    )
    rows = semantic_layer.rows("monthly")
    _close(_column(rows, ("metric_time__month",), "revenue_per_customer", float), expected)


def test_revenue_by_country_and_month_equals_fct_daily_revenue_by_country(semantic_layer):
    rows = semantic_layer.rows("country_monthly")
    expected = _sql(
        semantic_layer,
        "select date_trunc('month', revenue_date), country_name, sum(revenue),"
        " sum(num_invoice_lines) from marts.fct_daily_revenue_by_country"
        " group by 1, 2 having sum(num_invoice_lines) > 0",
    )
    keys = ("metric_time__month", "country__country_name")
    assert len({country for _, country, _, _ in expected}) >= 3
    assert _column(rows, keys, "revenue", _money) == {(m, c): r for m, c, r, _ in expected}
    assert _column(rows, keys, "invoice_lines", int) == {(m, c): n for m, c, _, n in expected}


def test_revenue_and_invoices_by_day_and_invoice_type(semantic_layer):
    rows = semantic_layer.rows("daily_by_invoice_type")
    keys = ("metric_time__day", "invoice__invoice_type")
    revenue = _sql(
        semantic_layer,
        "select lines.invoice_date, invoices.invoice_type, sum(lines.price)"
        " from marts.fct_invoice_lines as lines"
        " inner join marts.fct_invoices as invoices on lines.invoice_id = invoices.invoice_id"
        " group by 1, 2",
    )
    invoices = _sql(
        semantic_layer,
        "select invoice_date, invoice_type, count(*) from marts.fct_invoices group by 1, 2",
    )
    assert {t for _, t, _ in invoices} >= {"sale", "cancellation"}
    assert _column(rows, keys, "revenue", _money) == {(d, t): r for d, t, r in revenue}
    assert _column(rows, keys, "invoices", int) == {(d, t): n for d, t, n in invoices}
    # the invoices' own revenue (fct_invoices.revenue) is the lines' revenue
    assert _column(rows, keys, "invoice_revenue", _money) == {(d, t): r for d, t, r in revenue}


def test_daily_revenue_equals_fct_daily_revenue_on_days_with_sales(semantic_layer):
    totals: dict[date, Decimal] = {}
    for (day, _), revenue in _column(
        semantic_layer.rows("daily_by_invoice_type"),
        ("metric_time__day", "invoice__invoice_type"),
        "revenue",
        Decimal,
    ).items():
        totals[day] = totals.get(day, Decimal(0)) + revenue
    expected = _sql(
        semantic_layer,
        "select revenue_date, revenue from marts.fct_daily_revenue where num_invoice_lines > 0",
    )
    assert len(expected) > 300
    assert {day: total.quantize(CENT) for day, total in totals.items()} == dict(expected)


def test_week_grain_is_the_monday_of_each_day(semantic_layer):
    rows = semantic_layer.rows("daily_by_invoice_type")
    weeks = {(_day(r["metric_time__day"]), _day(r["metric_time__week"])) for r in rows}
    assert len({week for _, week in weeks}) > 50
    assert all(week.isoweekday() == 1 and 0 <= (day - week).days < 7 for day, week in weeks)


def test_churn_rate_by_plan_equals_dim_plans(semantic_layer):
    rows = semantic_layer.rows("churn_rate_by_plan")
    expected = _sql(
        semantic_layer,
        "select subscriber_type, num_customers, num_customers - num_subscribers,"
        " (num_customers - num_subscribers) / num_customers"
        " from marts.dim_plans where num_customers > 0",
    )
    key = ("customer__subscriber_type",)
    assert len(expected) == 3
    assert _column(rows, key, "subscribed_customers", int) == {p: n for p, n, _, _ in expected}
    assert _column(rows, key, "churned_customers", int) == {p: c for p, _, c, _ in expected}
    _close(_column(rows, key, "churn_rate", float), {p: r for p, _, _, r in expected})
    assert any(0 < rate < 1 for *_, rate in expected)


def test_active_subscribers_over_time_count_who_had_signed_up_and_not_yet_cancelled(
    semantic_layer,
):
    rows = semantic_layer.rows("subscribers_over_time")
    # customers with a plan, signed up by the month's end, not cancelled by then
    # (a cancellation is the customer's last stream event)
    expected = dict(
        _sql(
            semantic_layer,
            """
            with months as (
                select distinct month_start_date as month_start from marts.dim_dates
            )
            select
                months.month_start,
                count(customers.customer_id)
            from months
            left join marts.dim_customers as customers
                on customers.plan_id is not null
                and customers.signup_date < months.month_start + interval 1 month
                and (
                    customers.is_subscriber
                    or customers.last_stream_event_date >= months.month_start + interval 1 month
                )
            group by 1
            having months.month_start >= (select date_trunc('month', min(signup_date))
                                          from marts.dim_customers)
            """,
        )
    )
    active = _column(rows, ("metric_time__month",), "active_subscribers", int)
    assert active == expected
    [(subscribers, cancelled)] = _sql(
        semantic_layer,
        "select count(*) filter (where is_subscriber),"
        " count(*) filter (where plan_id is not null and not is_subscriber)"
        " from marts.dim_customers",
    )
    assert active[max(active)] == subscribers
    assert cancelled > 0  # the running totals really subtract something
    cancellations = dict(
        _sql(
            semantic_layer,
            "select date_trunc('month', last_stream_event_date), count(*) from marts.dim_customers"
            " where plan_id is not null and not is_subscriber group by 1",
        )
    )
    assert _column(rows, ("metric_time__month",), "cancellations", int) == cancellations
