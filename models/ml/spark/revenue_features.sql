{#- ml.revenue_features on Spark: the SQL twin of models/ml/revenue_features.py
    (dbt-spark runs Python models only on Databricks). Same columns, types and
    rows; the definitions are those of ml_features/revenue_features.py, whose
    constants these must equal (tests/python/spark/ checks both, and the rows
    against the DuckDB build). It reads the revenue grid, which is zero-filled
    over every day of each series (the project's one fill), so ROWS frames
    are calendar-day windows. -#}
{%- set previous_windows = [7, 14, 28, 70] -%}
{%- set year_lag_days = 365 -%}
{%- set target_days = 30 -%}
{%- set recent_days = 30 -%}

with

revenue_grid as (

    select * from {{ ref('int_invoice_lines_aggregated_to_days') }}

),

daily as (

    select series_name, is_all_countries, revenue_date, revenue, num_invoices, num_views
    from revenue_grid

),

positioned as (

    select
        *,
        row_number() over (partition by series_name order by revenue_date) - 1 as day_position,
        count(*) over (partition by series_name) as series_days

    from daily

),

windowed as (

    select
        series_name,
        is_all_countries,
        revenue_date as feature_date,
        {%- for days in previous_windows %}
        cast(coalesce(sum(revenue) over (
            partition by series_name order by revenue_date
            rows between {{ days }} preceding and 1 preceding
        ), 0) as decimal(18, 2)) as previous_{{ days }},
        {%- endfor %}
        cast(coalesce(sum(revenue) over (
            partition by series_name order by revenue_date
            rows between {{ year_lag_days }} preceding and {{ year_lag_days - target_days + 1 }} preceding
        ), 0) as decimal(18, 2)) as previous_year,
        coalesce(avg(cast(num_invoices as double)) over (
            partition by series_name order by revenue_date
            rows between {{ recent_days }} preceding and 1 preceding
        ), 0) as recent_invoices,
        coalesce(avg(cast(num_views as double)) over (
            partition by series_name order by revenue_date
            rows between {{ recent_days }} preceding and 1 preceding
        ), 0) as recent_views,
        cast(case
            when day_position + {{ target_days }} <= series_days
                then sum(revenue) over (
                    partition by series_name order by revenue_date
                    rows between current row and {{ target_days - 1 }} following
                )
        end as decimal(18, 2)) as target_next_30

    from positioned

),

final as (

    select
        cast(series_name as string) as series_name,
        is_all_countries,
        feature_date,
        {%- for days in previous_windows %}
        previous_{{ days }},
        {%- endfor %}
        previous_year,
        recent_invoices,
        recent_views,
        target_next_30,
        (
            {%- for days in previous_windows %}previous_{{ days }} <> 0 or {% endfor -%}
            previous_year <> 0 or recent_invoices <> 0 or recent_views <> 0
        ) as has_history

    from windowed

)

select * from final
