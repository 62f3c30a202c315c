"""The ml tables in a warehouse built end to end (generated sources, real CLI, dbt build)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
from course_reference import reference_features

from python_loaders.generator.timeline import CHRISTMAS_GAP, SUDDEN_DROP
from python_loaders.ingestion.sources import rules

ML_MODELS = ("revenue_features", "revenue_anomalies", "customer_churn_features")


def as_date(day: np.datetime64) -> date:
    return day.astype("datetime64[D]").item()


def test_ml_models_and_their_tests_passed(built_warehouse):
    results = {
        result["unique_id"]: result["status"] for result in built_warehouse.build_results["results"]
    }
    for model in ML_MODELS:
        assert results[f"model.aavail.{model}"] == "success"
    ml_tests = [
        status
        for unique_id, status in results.items()
        if unique_id.startswith("test.") and any(model in unique_id for model in ML_MODELS)
    ]
    assert len(ml_tests) >= 25
    assert set(ml_tests) == {"pass"}


def test_every_ml_table_and_column_is_described(built_warehouse):
    nodes = built_warehouse.manifest["nodes"]
    for model in ML_MODELS:
        node = nodes[f"model.aavail.{model}"]
        assert node["schema"] == "ml"
        assert node["description"].strip()
        catalog = built_warehouse.catalog["nodes"][f"model.aavail.{model}"]["columns"]
        documented = node["columns"]
        assert set(catalog) == set(documented), model
        for name, column in documented.items():
            assert column["description"].strip(), (model, name)
            assert column["data_type"], (model, name)
            assert catalog[name]["type"].lower().replace(" ", "") == column["data_type"].replace(
                " ", ""
            ), (model, name)


def test_one_feature_row_per_series_and_day(built_warehouse):
    days = built_warehouse.query("select count(*) from marts.fct_daily_revenue")[0][0]
    countries = built_warehouse.query(
        "select count(distinct country_name) from marts.fct_daily_revenue_by_country"
    )[0][0]
    expected = (countries + 1) * days
    for table in ("revenue_features", "revenue_anomalies"):
        assert built_warehouse.query(f"select count(*) from ml.{table}")[0][0] == expected


def test_ml_series_are_the_countries_and_one_all_countries_series(built_warehouse):
    """series_name / is_all_countries as in the grid: each mart country once, one `All`."""
    countries = {
        row[0]
        for row in built_warehouse.query(
            "select distinct country_name from marts.fct_daily_revenue_by_country"
        )
    }
    for table in ("revenue_features", "revenue_anomalies"):
        series = built_warehouse.query(
            f"select series_name, is_all_countries from ml.{table} group by all"
        )
        assert sorted(name for name, flag in series if not flag) == sorted(countries), table
        assert [name for name, flag in series if flag] == ["All"], table


def test_features_of_all_countries_agree_with_plain_sql_sums(built_warehouse):
    """previous_7, previous_year and target_next_30 of `All`, recomputed by SQL self-joins."""
    mismatches = built_warehouse.query(
        """
        with daily as (select revenue_date, revenue from marts.fct_daily_revenue),
        last_day as (select max(revenue_date) as last_date from daily),
        recomputed as (
            select
                d.revenue_date,
                (select coalesce(sum(p.revenue), 0) from daily as p
                 where p.revenue_date between d.revenue_date - 7 and d.revenue_date - 1)
                    as previous_7,
                (select coalesce(sum(p.revenue), 0) from daily as p
                 where p.revenue_date between d.revenue_date - 365 and d.revenue_date - 336)
                    as previous_year,
                case when d.revenue_date + 29 <= (select last_date from last_day) then
                    (select sum(p.revenue) from daily as p
                     where p.revenue_date between d.revenue_date and d.revenue_date + 29)
                end as target_next_30
            from daily as d
        )
        select count(*)
        from recomputed
        inner join ml.revenue_features as f
            on f.is_all_countries and f.feature_date = recomputed.revenue_date
        where f.previous_7 <> recomputed.previous_7
            or f.previous_year <> recomputed.previous_year
            or f.target_next_30 is distinct from recomputed.target_next_30
        """
    )[0][0]
    assert mismatches == 0


def test_the_calendar_holds_every_date_the_loaders_accept(built_warehouse):
    """util_calendar_days spans the landing rules' dates, so the grid never loses a day."""
    [(first, last, days)] = built_warehouse.query(
        "select min(date_day), max(date_day), count(distinct date_day)"
        " from intermediate.util_calendar_days"
    )
    assert (str(first), str(last)) == (rules.FIRST_DATE, rules.LAST_DATE)
    assert days == (last - first).days + 1
    [(grid_first, grid_last)] = built_warehouse.query(
        "select min(revenue_date), max(revenue_date)"
        " from intermediate.int_invoice_lines_aggregated_to_days"
    )
    [(line_first, line_last)] = built_warehouse.query(
        "select min(invoice_date), max(invoice_date) from marts.fct_invoice_lines"
    )
    assert (grid_first, grid_last) == (line_first, line_last)


def test_features_match_the_course_reference_on_the_built_grid(built_warehouse):
    """ml.revenue_features = the course's per-day features on the grid, to the cent.

    The reference reads the revenue grid as built (the one zero-fill), for
    the `All` series and the two largest countries.
    """
    largest = built_warehouse.query(
        "select country_name from marts.fct_daily_revenue_by_country"
        " group by all order by sum(revenue) desc limit 2"
    )
    series = ["All", *(row[0] for row in largest)]
    in_series = "series_name in (" + ", ".join(f"'{name}'" for name in series) + ")"
    grid = pd.DataFrame(
        built_warehouse.query(
            "select series_name, revenue_date, revenue, num_invoices, num_views"
            f" from intermediate.int_invoice_lines_aggregated_to_days where {in_series}"
        ),
        columns=["series_name", "revenue_date", "revenue", "num_invoices", "num_views"],
    )
    expected = reference_features(grid)
    names = ("previous_7", "previous_14", "previous_28", "previous_70", "previous_year",
             "recent_invoices", "recent_views", "target_next_30", "has_history")  # fmt: skip
    produced = built_warehouse.query(
        f"select series_name, feature_date, {', '.join(names)}"
        f" from ml.revenue_features where {in_series}"
    )
    assert grid["series_name"].nunique() == 3
    assert len(produced) == len(expected) == len(grid)
    for name_of_series, day, *values in produced:
        want = expected[(name_of_series, day)]
        for name, got in zip(names, values, strict=True):
            if name.startswith("recent_"):
                assert math.isclose(got, want[name], rel_tol=1e-12), (name_of_series, day, name)
            else:
                assert got == want[name], (name_of_series, day, name)  # Decimal: to the cent


def test_generated_negative_days_and_drops_are_flagged(built_warehouse):
    """The generator's adjustment days, Christmas 2017 gap and June 2019 drop, on `All`."""
    negative = built_warehouse.query(
        """
        select count(*), count(*) filter (where is_anomaly)
        from ml.revenue_anomalies
        where is_all_countries and revenue < 0 and anomaly_score is not null
        """
    )[0]
    assert negative[0] >= 1
    assert negative[1] == negative[0]

    for first, last in (SUDDEN_DROP, CHRISTMAS_GAP):
        rows = built_warehouse.query(
            f"""
            select revenue_date, is_anomaly
            from ml.revenue_anomalies
            where is_all_countries
                and revenue_date between date '{as_date(first)}' and date '{as_date(last)}'
                and revenue_date < date '{as_date(first)}' + 7
                and dayofweek(revenue_date) between 1 and 4
            """
        )
        assert rows, (first, last)
        assert all(flag for _, flag in rows), rows


def test_quiet_saturdays_are_not_anomalies(built_warehouse):
    flagged, saturdays = built_warehouse.query(
        """
        select count(*) filter (where is_anomaly), count(*)
        from ml.revenue_anomalies
        where is_all_countries and dayofweek(revenue_date) = 6 and revenue = 0
        """
    )[0]
    assert saturdays > 50
    assert flagged == 0


def test_churn_features_have_no_direct_identifiers(built_warehouse):
    columns = {
        row[0]
        for row in built_warehouse.query(
            "select column_name from duckdb_columns() "
            "where schema_name = 'ml' and table_name = 'customer_churn_features'"
        )
    }
    for identifier in ("customer_name", "first_name", "last_name", "birth_date", "city", "state"):
        assert identifier not in columns
    assert {"customer_id", "is_subscriber", "age_band", "tenure_days"} <= columns


def test_churn_features_cover_every_customer_with_the_same_label(built_warehouse):
    differing = built_warehouse.query(
        """
        select count(*)
        from marts.dim_customers as c
        full outer join ml.customer_churn_features as f on c.customer_id = f.customer_id
        where f.customer_id is null or c.customer_id is null
            or f.is_subscriber <> c.is_subscriber
            or f.country_name <> c.country_name
        """
    )[0][0]
    assert differing == 0


def expected_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    for upper, band in ((18, "under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44")):
        if age < upper:
            return band
    return "45-54" if age < 55 else "55-64" if age < 65 else "65+"


def test_age_bands_follow_dim_customers_age(built_warehouse):
    pairs = built_warehouse.query(
        """
        select distinct c.age, f.age_band
        from marts.dim_customers as c
        inner join ml.customer_churn_features as f on c.customer_id = f.customer_id
        """
    )
    assert len(pairs) > 10
    for age, band in pairs:
        assert band == expected_band(age), (age, band)
