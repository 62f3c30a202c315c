-- a table rather than a view: both daily marts read it, and the rollup over
-- every invoice line should run once per build
{{ config(materialized='table') }}

with

invoice_lines as (

    -- staging, not the fct_invoice_lines mart: an intermediate model reads only
    -- earlier layers (dbt-score rule no_dependency_on_later_layer); both hold the
    -- same rows (singular test assert_fct_invoice_lines_matches_staging)
    select * from {{ ref('stg_billing__invoice_lines') }}

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
        {{ days_from_to('first_date', 'last_date') }} as revenue_date

    from date_bounds

    where first_date is not null

),

series as (

    -- each country, and all countries together (`All`, as in the ml tables)
    select distinct
        country_name as series_name,
        false as is_all_countries

    from invoice_lines

    union all

    select
        'All' as series_name,
        true as is_all_countries

),

daily as (

    -- one pass for both grains (rollup: per country, per day for all countries,
    -- and a grand total that the calendar join drops); the all-countries rows
    -- come from the lines, not from summing countries: distinct counts do not add up
    select
        invoice_date as revenue_date,
        country_name,
        grouping(country_name) = 1 as is_all_countries,
        count(*) as purchases,
        count(distinct invoice_id) as unique_invoices,
        count(distinct stream_id) as unique_streams,
        sum(times_viewed) as total_views,
        sum(price) as revenue

    from invoice_lines

    group by rollup(invoice_date, country_name)

),

final as (

    select
        calendar.revenue_date,
        series.series_name,
        series.is_all_countries,
        coalesce(daily.purchases, 0) as purchases,
        coalesce(daily.unique_invoices, 0) as unique_invoices,
        coalesce(daily.unique_streams, 0) as unique_streams,
        cast(coalesce(daily.total_views, 0) as bigint) as total_views,
        cast(coalesce(daily.revenue, 0) as decimal(18, 2)) as revenue

    from calendar

    cross join series

    left join daily
        on
            calendar.revenue_date = daily.revenue_date
            and series.is_all_countries = daily.is_all_countries
            and (series.is_all_countries or series.series_name = daily.country_name)

)

select * from final
