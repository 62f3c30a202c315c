-- Every landed raw row is either kept by staging or counted as a removed
-- exact duplicate: for each deduplicated raw table, the raw row count equals
-- rows kept + duplicates removed as fct_source_deduplication reports them
-- (rows kept = the staging model's row count, duplicates = sum of
-- num_landed_copies - 1), and the billing lines kept are exactly the rows of
-- fct_invoice_lines. Returns one row per table that does not reconcile.

with

landed as (

    select
        'raw_crm.customer' as source_table,
        count(*) as rows_landed
    from {{ source('crm', 'customer') }}

    union all

    select
        'raw_streaming.streams' as source_table,
        count(*) as rows_landed
    from {{ source('streaming', 'streams') }}

    union all

    select
        'raw_billing.invoice_lines' as source_table,
        count(*) as rows_landed
    from {{ source('billing', 'invoice_lines') }}

),

reported as (

    select * from {{ ref('fct_source_deduplication') }}

),

fact_lines as (

    select
        'raw_billing.invoice_lines' as source_table,
        count(*) as rows_in_fact
    from {{ ref('fct_invoice_lines') }}

)

select
    landed.source_table,
    landed.rows_landed,
    reported.rows_kept,
    reported.duplicate_rows_removed,
    fact_lines.rows_in_fact

from landed

left join reported
    on landed.source_table = reported.source_table

left join fact_lines
    on landed.source_table = fact_lines.source_table

where
    reported.source_table is null
    or landed.rows_landed <> reported.rows_kept + reported.duplicate_rows_removed
    or reported.rows_landed <> landed.rows_landed
    or fact_lines.rows_in_fact <> reported.rows_kept
