-- The project's one calendar: every day from 1990-01-01 to 2099-12-31, with
-- the week and the month it falls in. Its readers take the days they need:
-- the revenue grid (int_invoice_lines_aggregated_to_days) the first to the
-- last invoice date, dim_dates (MetricFlow's time spine) whole years of events.
-- Fixed bounds, not the data's, so the calendar reads no model and every layer
-- from intermediate on can use it: they are the dates the loaders accept
-- (FIRST_DATE / LAST_DATE in python_loaders/ingestion/sources/rules.py; a row
-- with a date outside them is rejected on landing), so every landed date is in
-- it (tests/python/ml/test_ml_tables.py checks the two agree). About 40,000 rows.
{%- set first_day = "date '1990-01-01'" -%}
{%- set last_day = "date '2099-12-31'" %}

with

days as (

    select {{ days_from_to(first_day, last_day) }} as date_day

),

final as (

    select
        date_day,
        cast(date_trunc('week', date_day) as date) as week_start_date,
        cast(date_trunc('month', date_day) as date) as month_start_date

    from days

)

select * from final
