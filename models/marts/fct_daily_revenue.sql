with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

date_bounds as (

    select
        min(invoice_date) as first_date,
        max(invoice_date) as last_date

    from invoice_lines

),

calendar as (

    -- every calendar day from the first to the last invoice date
    select
        cast(unnest(generate_series(first_date, last_date, interval 1 day)) as date)
            as revenue_date

    from date_bounds

    where first_date is not null

),

daily as (

    -- from the lines, not by summing countries: distinct counts do not add up
    select
        invoice_date as revenue_date,
        count(*) as purchases,
        count(distinct invoice_id) as unique_invoices,
        count(distinct stream_id) as unique_streams,
        sum(times_viewed) as total_views,
        sum(price) as revenue

    from invoice_lines

    group by invoice_date

),

final as (

    select
        calendar.revenue_date,
        coalesce(daily.purchases, 0) as purchases,
        coalesce(daily.unique_invoices, 0) as unique_invoices,
        coalesce(daily.unique_streams, 0) as unique_streams,
        cast(coalesce(daily.total_views, 0) as bigint) as total_views,
        cast(coalesce(daily.revenue, 0) as decimal(18, 2)) as revenue

    from calendar

    left join daily
        on calendar.revenue_date = daily.revenue_date

)

select * from final
