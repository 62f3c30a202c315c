-- Monthly revenue, invoices and views per country, largest first.
with

daily as (

    select * from {{ ref('fct_daily_revenue_by_country') }}

),

monthly as (

    select
        country_name,
        date_trunc('month', revenue_date) as revenue_month,
        sum(purchases) as purchases,
        sum(unique_invoices) as invoices,
        sum(total_views) as total_views,
        sum(revenue) as revenue

    from daily

    group by country_name, date_trunc('month', revenue_date)

)

select * from monthly
order by revenue_month asc, revenue desc
