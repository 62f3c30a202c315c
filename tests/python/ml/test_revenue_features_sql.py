"""The SQL window-function formulation gives the same table as the production path."""

from __future__ import annotations

import json

import duckdb
import pytest
from ml_series_factory import random_daily

from ml_features import timing
from ml_features.revenue_features_sql import revenue_features_sql
from ml_features.warehouse import REVENUE_FEATURES_TYPES, revenue_features_relation


def marts_from(con: duckdb.DuckDBPyConnection, daily) -> None:
    """Hand-made daily marts in an in-memory DuckDB, typed like the real ones."""
    con.register("random_daily", daily)
    con.execute(
        """
        create table fct_daily_revenue_by_country as
        select country_name::varchar as country_name, revenue_date::date as revenue_date,
               revenue::decimal(18, 2) as revenue, unique_invoices::bigint as unique_invoices,
               total_views::bigint as total_views
        from random_daily
        """
    )
    con.execute(
        """
        create table fct_daily_revenue as
        select revenue_date, sum(revenue)::decimal(18, 2) as revenue,
               sum(unique_invoices)::bigint as unique_invoices,
               sum(total_views)::bigint as total_views
        from fct_daily_revenue_by_country group by revenue_date
        """
    )


@pytest.mark.parametrize("seed", range(4))
def test_sql_and_python_give_the_same_rows(seed):
    con = duckdb.connect()
    marts_from(con, random_daily(seed, countries=5, max_days=420))
    python_rel = revenue_features_relation(
        con, con.table("fct_daily_revenue_by_country"), con.table("fct_daily_revenue")
    )
    python_rel.create("from_python")
    con.execute(
        """
        create view daily as
        select country_name, revenue_date, revenue, unique_invoices, total_views
        from fct_daily_revenue_by_country
        union all
        select 'All', revenue_date, revenue, unique_invoices, total_views from fct_daily_revenue
        """
    )
    con.execute(
        f"create table from_sql as select {REVENUE_FEATURES_TYPES} from ("
        + revenue_features_sql("daily")
        + ")"
    )
    rows = con.execute("select count(*) from from_python").fetchone()[0]
    series = con.execute("select count(distinct country_name) from from_python").fetchone()[0]
    assert series == con.execute("select count(distinct country_name) from daily").fetchone()[0]
    assert rows == con.execute("select count(*) from from_sql").fetchone()[0]
    differing = con.execute(
        """
        select count(*) from (
            (select * from from_python except all select * from from_sql)
            union all
            (select * from from_sql except all select * from from_python)
        )
        """
    ).fetchone()[0]
    assert differing == 0


def test_timing_entry_point_reports_both_formulations(capsys):
    assert timing.main(["--synthetic", "3x60", "--repeat", "1", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["formulation"] for line in lines] == [
        "revenue_features: pandas (production)",
        "revenue_features: SQL window functions",
        "revenue_anomalies: numpy",
    ]
    # 3 countries + All, 60 days each.
    assert all(line["output_rows"] == 4 * 60 for line in lines)
    assert all(line["best_seconds"] > 0 for line in lines)


def test_timing_names_a_missing_warehouse_in_one_line(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert timing.main(["--warehouse", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {missing}: no such warehouse file"
