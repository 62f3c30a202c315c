-- Revenue in every mart equals the sum of price over the distinct landed raw
-- invoice lines, to the cent. Returns one row per mart or month that disagrees.
-- The raw lines are deduplicated here again, independently of staging (a first
-- pass by 64-bit hash, then exactly among records of a repeated hash), in the
-- months the latest build rebuilt (every month on a full build or with
-- `--vars '{full_history_tests: true}'`; macros/invoice_months_to_rebuild.sql),
-- and each such month's revenue in fct_invoice_lines must equal theirs. The
-- other months' lines were checked so by the build that rebuilt them and have
-- not changed since (their raw fingerprint still matches:
-- assert_fct_invoice_lines_months_match_raw). Every mart's total must then
-- equal fct_invoice_lines' total over all months.

{% set fields = ['country', 'customer_id', 'invoice', 'price', 'stream_id', 'times_viewed',
    'year', 'month', 'day', 'extra_fields'] %}{#- a raw record's values #}

with

raw_rows as {{ not_materialized() }} (

    select
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
        {{ checked_make_date(
            checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
        ) }} as invoice_month
    from {{ source('billing', 'invoice_lines') }}
    -- the rebuilt months, filtered on raw's own year and month texts (in the scan)
    where {{ rebuilt_raw_invoice_months_predicate() }}

),

hashed_rows as {{ not_materialized() }} (

    select
        *,
        {{ row_hash(fields) }} as row_hash
    from raw_rows

),

repeated_row_hashes as (

    -- hashes shared by 2+ records: exact duplicates, or (rarely) a collision
    select row_hash
    from hashed_rows
    group by row_hash
    having count(*) > 1

),

raw_lines as (

    -- the distinct lines in two passes: a record whose hash no other record has
    -- is distinct as it is; records of a repeated hash are made distinct on every
    -- value (so a collision never merges two lines)
    select
        invoice_month,
        price
    from hashed_rows
    where row_hash not in (select repeated_row_hashes.row_hash from repeated_row_hashes)

    union all

    select
        invoice_month,
        price
    from (
        select distinct
            {{ fields | join(', ') }},
            invoice_month
        from hashed_rows
        where row_hash in (select repeated_row_hashes.row_hash from repeated_row_hashes)
    ) as repeated_lines

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
