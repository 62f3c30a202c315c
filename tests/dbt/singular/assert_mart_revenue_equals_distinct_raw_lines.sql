-- Revenue in every mart equals the sum of price over the distinct landed raw
-- invoice lines, to the cent. Returns one row per mart or month that disagrees.
-- The raw lines are deduplicated here again, independently of staging, in the
-- months the latest build rebuilt (every month on a full build or with
-- `--vars '{full_history_tests: true}'`; macros/invoice_months_to_rebuild.sql),
-- and each such month's revenue in fct_invoice_lines must equal theirs. The
-- other months' lines were checked so by the build that rebuilt them and have
-- not changed since (their raw fingerprint still matches:
-- assert_fct_invoice_lines_months_match_raw). Every mart's total must then
-- equal fct_invoice_lines' total over all months.

with

raw_rows as (

    select
        *,
        {{ checked_make_date(
            checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
        ) }} as invoice_month
    from {{ source('billing', 'invoice_lines') }}

),

raw_lines as (

    -- invoice_month is a function of year and month, so the filter on it
    -- reaches the raw scan below the distinct
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
        cast(_extra_fields as string) as extra_fields,
        invoice_month
    from raw_rows
    where {{ rebuilt_invoice_months_predicate() }}

),

expected_months as (

    select
        invoice_month,
        coalesce(sum(cast(price as decimal(18, 2))), 0) as revenue
    from raw_lines
    group by invoice_month

),

fact_months as (

    select
        invoice_month,
        coalesce(sum(price), 0) as revenue
    from {{ ref('fct_invoice_lines') }}
    where {{ rebuilt_invoice_months_predicate() }}
    group by invoice_month

),

month_mismatches as (

    select
        'fct_invoice_lines, month ' || {{ date_text(
            'coalesce(expected_months.invoice_month, fact_months.invoice_month)'
        ) }} as mart,
        coalesce(fact_months.revenue, 0) as revenue,
        coalesce(expected_months.revenue, 0) as expected_revenue

    from expected_months

    full outer join fact_months
        on expected_months.invoice_month = fact_months.invoice_month

    where coalesce(fact_months.revenue, 0) <> coalesce(expected_months.revenue, 0)

),

expected as (

    select coalesce(sum(price), 0) as revenue from {{ ref('fct_invoice_lines') }}

),

marts as (

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

),

mart_mismatches as (

    select
        marts.mart,
        marts.revenue,
        expected.revenue as expected_revenue

    from marts

    cross join expected

    where marts.revenue <> expected.revenue

),

final as (

    select * from month_mismatches
    union all
    select * from mart_mismatches

)

select * from final
