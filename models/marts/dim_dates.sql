-- MetricFlow's time spine: one row per day of every calendar year from the first
-- to the last event (customer signups, streams, invoices); the current year when
-- nothing has landed yet. A few hundred rows per year of data.
with

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
        date_trunc('year', coalesce(min(first_date), current_date)) as first_day,
        date_trunc('year', coalesce(max(last_date), current_date))
        + interval 1 year - interval 1 day as last_day

    from event_dates

),

days as (

    select {{ days_from_to('first_day', 'last_day') }} as date_day

    from bounds

),

final as (

    select
        date_day,
        cast(date_trunc('week', date_day) as date) as week_start_date,
        cast(date_trunc('month', date_day) as date) as month_start_date

    from days

)

select * from final
