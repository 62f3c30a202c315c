-- MetricFlow's time spine: one row per day of every calendar year from the first
-- to the last event (customer signups, streams, invoices); the current year when
-- nothing has landed yet. The days come from the project's one calendar
-- (util_calendar_days); a few hundred rows per year of data.
with

calendar_days as (

    select * from {{ ref('util_calendar_days') }}

),

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

streams as (

    select * from {{ ref('fct_streams') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

event_dates as (

    select
        min(invoice_date) as first_date,
        max(invoice_date) as last_date
    from invoice_lines

    union all

    select
        min(stream_date) as first_date,
        max(stream_date) as last_date
    from streams

    union all

    select
        min(signup_date) as first_date,
        max(signup_date) as last_date
    from customers

),

bounds as (

    select
        cast(date_trunc('year', coalesce(min(first_date), current_date)) as date) as first_day,
        cast(
            date_trunc('year', coalesce(max(last_date), current_date))
            + interval 1 year - interval 1 day as date
        ) as last_day

    from event_dates

),

final as (

    select
        calendar_days.date_day,
        calendar_days.week_start_date,
        calendar_days.month_start_date

    from calendar_days

    inner join bounds
        on calendar_days.date_day between bounds.first_day and bounds.last_day

)

select * from final
