{#-
    The daily rollup of invoice lines, the one definition of the revenue grid's
    daily totals: the model int_invoice_lines_aggregated_to_days aggregates its
    lines with it, and the singular test assert_revenue_grid_months_match_lines
    recomputes the rebuilt months' days with it.

    One pass for both grains (rollup): a row per day and country
    (`is_all_countries` false), a row per day for all countries (`country_name`
    null, `is_all_countries` true; from the lines, not from summing countries:
    distinct counts do not add up), and a grand total (`revenue_date` null) that
    the caller drops. `num_views` is null on a day without views (a plain sum).
    The same SQL on DuckDB and Spark.
-#}

{% macro invoice_lines_daily_rollup(lines) -%}
    select
        invoice_date as revenue_date,
        country_name,
        grouping(country_name) = 1 as is_all_countries,
        count(*) as num_invoice_lines,
        count(distinct invoice_id) as num_invoices,
        count(distinct stream_id) as num_stream_ids,
        sum(times_viewed) as num_views,
        sum(price) as revenue,
        sum(num_landed_copies) as num_rows_landed,
        max(load_id) as newest_load_id

    from {{ lines }}

    group by rollup(invoice_date, country_name)
{%- endmacro %}
