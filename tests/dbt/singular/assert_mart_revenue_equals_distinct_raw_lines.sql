-- Revenue in every mart equals the sum of price over the distinct landed raw
-- invoice lines, to the cent. Returns one row per mart that disagrees.

with

raw_lines as (

    select distinct
        country,
        customer_id,
        invoice,
        price,
        stream_id,
        times_viewed,
        year,
        month,
        day,
        cast(_extra_fields as string) as extra_fields
    from {{ source('billing', 'invoice_lines') }}

),

expected as (

    select coalesce(sum(cast(price as decimal(18, 2))), 0) as revenue from raw_lines

),

marts as (

    select
        'fct_invoice_lines' as mart,
        coalesce(sum(price), 0) as revenue
    from {{ ref('fct_invoice_lines') }}

    union all

    select
        'fct_invoices' as mart,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('fct_invoices') }}

    union all

    select
        'fct_daily_revenue' as mart,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('fct_daily_revenue') }}

    union all

    select
        'fct_daily_revenue_by_country' as mart,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('fct_daily_revenue_by_country') }}

    union all

    select
        'dim_countries' as mart,
        coalesce(sum(revenue), 0) as revenue
    from {{ ref('dim_countries') }}

)

select
    marts.mart,
    marts.revenue,
    expected.revenue as expected_revenue

from marts

cross join expected

where marts.revenue <> expected.revenue
