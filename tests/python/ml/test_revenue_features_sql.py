"""The SQL window-function formulation gives the same table as the production path."""

from __future__ import annotations

import json

import duckdb
import pytest
from ml_series_factory import random_daily

from ml_features import timing
from ml_features.revenue_features_sql import revenue_features_sql
from ml_features.warehouse import REVENUE_FEATURES_TYPES, revenue_features_relation


def grid_from(con: duckdb.DuckDBPyConnection, daily) -> None:
    """A hand-made revenue grid in an in-memory DuckDB, typed like the real one.

    The random country series share one date range, as in the grid, and the
    `All` series is their daily sum (is_all_countries true).
    """
    con.register("random_daily", daily)
    con.execute(
        """
        create table revenue_grid as
        with countries as (
            select series_name::varchar as series_name, false as is_all_countries,
                   revenue_date::date as revenue_date, revenue::decimal(18, 2) as revenue,
                   num_invoices::bigint as num_invoices, num_views::bigint as num_views
            from random_daily
        )
        select * from countries
        union all
        select 'All', true, revenue_date, sum(revenue)::decimal(18, 2),
               sum(num_invoices)::bigint, sum(num_views)::bigint
        from countries group by revenue_date
        """
    )


@pytest.mark.parametrize("seed", range(4))
def test_sql_and_python_give_the_same_rows(seed):
    con = duckdb.connect()
    grid_from(con, random_daily(seed, countries=5, max_days=420, same_range=True))
    revenue_features_relation(con, con.table("revenue_grid")).create("from_python")
    con.execute(
        f"create table from_sql as select {REVENUE_FEATURES_TYPES} from ("
        + revenue_features_sql("revenue_grid")
        + ")"
    )
    rows = con.execute("select count(*) from from_python").fetchone()[0]
    series = con.execute(
        "select count(distinct (series_name, is_all_countries)) from from_python"
    ).fetchone()[0]
    assert series == 6  # 5 countries and All, each with its own flag
    assert rows == con.execute("select count(*) from revenue_grid").fetchone()[0]
    assert rows == con.execute("select count(*) from from_sql").fetchone()[0]
    all_flags = con.execute(
        "select distinct is_all_countries from from_python where series_name = 'All'"
    ).fetchall()
    assert all_flags == [(True,)]
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


def test_sql_and_python_agree_on_series_of_different_ranges():
    """Notebooks may pass dense series that start and end on different days."""
    con = duckdb.connect()
    daily = random_daily(3, countries=5, max_days=420)
    daily["is_all_countries"] = False
    con.register("daily", daily)
    con.execute(
        "create table revenue_grid as select series_name::varchar as series_name,"
        " is_all_countries, revenue_date::date as revenue_date,"
        " revenue::decimal(18, 2) as revenue, num_invoices::bigint as num_invoices,"
        " num_views::bigint as num_views from daily"
    )
    revenue_features_relation(con, con.table("revenue_grid")).create("from_python")
    con.execute(
        f"create table from_sql as select {REVENUE_FEATURES_TYPES} from ("
        + revenue_features_sql("revenue_grid")
        + ")"
    )
    differing = con.execute(
        "select count(*) from ((from from_python except all from from_sql)"
        " union all (from from_sql except all from from_python))"
    ).fetchone()[0]
    assert con.execute("select count(*) from from_sql").fetchone()[0] == len(daily)
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


@pytest.mark.parametrize(
    "setup",
    [
        "create schema marts",  # a published copy: no intermediate schema, no grid
        "create schema intermediate; create table intermediate.int_invoice_lines_aggregated_to_days"
        " as select date '2019-01-01' as revenue_date, 'All' as series_name,"
        " 1 as unique_invoices",  # a grid of an older build, other column names
    ],
)
def test_timing_names_a_warehouse_without_the_current_grid_in_one_line(tmp_path, capsys, setup):
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(setup)
    assert timing.main(["--warehouse", str(path), "--repeat", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.startswith(f"error: {path}: no revenue grid with the current columns")
