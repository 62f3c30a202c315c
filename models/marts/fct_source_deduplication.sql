with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

streams as (

    select * from {{ ref('stg_streaming__streams') }}

),

invoice_lines as (

    -- the incremental fact holds exactly staging's distinct lines (singular test
    -- assert_fct_invoice_lines_matches_staging) and is a table: counting it does
    -- not re-deduplicate every raw billing line on each build
    select * from {{ ref('fct_invoice_lines') }}

),

counted as (

    select
        'raw_crm.customer' as source_table,
        sum(num_landed_copies) as rows_landed,
        count(*) as rows_kept
    from customers

    union all

    select
        'raw_streaming.streams' as source_table,
        sum(num_landed_copies) as rows_landed,
        count(*) as rows_kept
    from streams

    union all

    select
        'raw_billing.invoice_lines' as source_table,
        sum(num_landed_copies) as rows_landed,
        count(*) as rows_kept
    from invoice_lines

),

final as (

    select
        source_table,
        cast(coalesce(rows_landed, 0) as bigint) as rows_landed,
        rows_kept,
        cast(coalesce(rows_landed, 0) - rows_kept as bigint) as duplicate_rows_removed

    from counted

)

select * from final
