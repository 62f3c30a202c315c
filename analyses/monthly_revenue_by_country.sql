-- Monthly revenue, invoices and views per country, largest first.
with

daily as (

    select * from {{ ref('fct_daily_revenue_by_country') }}

),

monthly as (

    select
        country_name,
        date_trunc('month', revenue_date) as revenue_month,
        sum(num_invoice_lines) as num_invoice_lines,
        -- an invoice has one date, so daily invoice counts add up to the month's
        sum(num_invoices) as num_invoices,
        sum(num_views) as num_views,
        sum(revenue) as revenue

    from daily

    group by country_name, date_trunc('month', revenue_date)

)

select * from monthly
order by revenue_month asc, revenue desc
