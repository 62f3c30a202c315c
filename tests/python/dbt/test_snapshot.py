"""The snapshot keeps each customer's subscription history across loads."""

from __future__ import annotations

import shutil
import sqlite3

from build_helpers import generate_sources


def test_a_plan_change_in_the_crm_adds_a_version(dbt_warehouse_factory, tmp_path):
    sources = tmp_path / "sources"
    generate_sources(sources, seed=3, customers=40, invoice_lines=400)
    shutil.rmtree(sources / "invoices")  # the snapshot needs only the CRM and streams

    warehouse = dbt_warehouse_factory("snapshot")
    warehouse.load(sources)
    selection = ("--select", "+customer_subscriptions_snapshot")
    warehouse.dbt("build", *selection, "--indirect-selection", "cautious")

    with sqlite3.connect(sources / "aavail-customers.db") as con:
        customer_id, plan_id = con.execute(
            "select customer_id, invoice_item_id from INVOICE order by customer_id limit 1"
        ).fetchone()
        new_plan = plan_id % 3 + 1
        con.execute(
            "update INVOICE set invoice_item_id = ? where customer_id = ?", [new_plan, customer_id]
        )
    warehouse.load(sources)
    warehouse.dbt("build", *selection, "--indirect-selection", "cautious")

    versions = warehouse.query(
        "select plan_id, dbt_valid_to is null from snapshots.customer_subscriptions_snapshot"
        f" where customer_id = {customer_id} order by dbt_valid_from"
    )
    assert versions == [(plan_id, False), (new_plan, True)]
    [(customers, rows)] = warehouse.query(
        "select count(distinct customer_id), count(*)"
        " from snapshots.customer_subscriptions_snapshot"
    )
    assert rows == customers + 1
