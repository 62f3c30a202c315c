-- The daily revenue grid: one row per series (each country, and `All` for all
-- countries together) per calendar day from the first to the last invoice
-- date, days without sales as zeros. The project's one zero-fill: the daily
-- marts filter it, the ml models read it as it is.
-- A table rather than a view: the two daily marts and the two ml models read
-- it, and the rollup over every invoice line should run once per build.
{{ config(materialized='table') }}

with

invoice_lines as (

    -- staging, not the fct_invoice_lines mart: an intermediate model reads only
    -- earlier layers (dbt-score rule no_dependency_on_later_layer); both hold the
    -- same rows (singular test assert_fct_invoice_lines_matches_staging)
    select * from {{ ref('stg_billing__invoice_lines') }}

),

calendar_days as (

    select * from {{ ref('util_calendar_days') }}

),

daily as (

    -- one pass for both grains (rollup: per country, per day for all countries,
    -- and a grand total that the calendar join drops); the all-countries rows
    -- come from the lines, not from summing countries: distinct counts do not add up
    select
        invoice_date as revenue_date,
        country_name,
        grouping(country_name) = 1 as is_all_countries,
        count(*) as num_invoice_lines,
        count(distinct invoice_id) as num_invoices,
        count(distinct stream_id) as num_stream_ids,
        sum(times_viewed) as num_views,
        sum(price) as revenue

    from invoice_lines

    group by rollup(invoice_date, country_name)

),

date_bounds as (

    select
        min(revenue_date) as first_date,
        max(revenue_date) as last_date

    from daily

),

calendar as (

    -- every calendar day from the first to the last invoice date (none without lines)
    select calendar_days.date_day as revenue_date

    from calendar_days

    inner join date_bounds
        on calendar_days.date_day between date_bounds.first_date and date_bounds.last_date

),

series as (

    -- each country, and all countries together
    select distinct
        country_name as series_name,
        false as is_all_countries

    from daily

    where not is_all_countries and revenue_date is not null

    union all

    select
        'All' as series_name,
        true as is_all_countries

),

final as (

    select
        calendar.revenue_date,
        series.series_name,
        series.is_all_countries,
        coalesce(daily.num_invoice_lines, 0) as num_invoice_lines,
        coalesce(daily.num_invoices, 0) as num_invoices,
        coalesce(daily.num_stream_ids, 0) as num_stream_ids,
        cast(coalesce(daily.num_views, 0) as bigint) as num_views,
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
