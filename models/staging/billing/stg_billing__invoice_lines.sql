{#- On DuckDB a table, incremental by invoice month like fct_invoice_lines
    (macros/invoice_months_to_rebuild.sql): the pre-hook records the months
    whose raw rows changed and deletes their lines, and only those months'
    raw rows are deduplicated and appended. Every reader (fct_invoice_lines,
    the revenue grid, the tests) then reads stored lines instead of
    re-deduplicating every raw line. On Spark a view, as before. -#}
{%- if target.type == 'duckdb' %}
    {{
        config(
            materialized='incremental',
            incremental_strategy='append',
            pre_hook="{{ record_invoice_month_rebuild() }}",
            on_schema_change='fail',
        )
    }}
{%- endif %}

with

source as {{ not_materialized() }} (

    select * from {{ source('billing', 'invoice_lines') }}
    {% if is_incremental() %}
        -- only the rebuilt months' raw rows (literal months: filtered at the scan)
        where {{ checked_make_date(
            checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
        ) }} in ({{ invoice_month_literals(invoice_months_to_rebuild()) }})
    {% endif %}

),

country_spellings as (

    select * from {{ ref('country_spellings') }}

),

stream_code_types as (

    select * from {{ ref('stream_code_types') }}

),

deduplicated as (

    -- Exact duplicate records (same values in every source field) are one
    -- invoice line; num_landed_copies counts how many records were landed.
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
        -- a grouping column (a function of year and month), so that a filter on
        -- invoice_month reaches the raw table scan below the deduplication
        {{ checked_make_date(
            checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
        ) }} as invoice_month,
        count(*) as num_landed_copies,
        min(_source_file) as source_file,
        max(_load_id) as load_id,
        max(_loaded_at) as loaded_at

    from source

    group by all

),

stream_codes as (

    select distinct stream_id from source

),

classified_stream_codes as (

    -- Classify the few distinct codes, then join back on equality. One rule
    -- for every seed row (macro stream_code_matches: case-insensitive, exact or
    -- prefix); the seed's rules never overlap and no code matches two of them
    -- (singular test assert_stream_codes_match_at_most_one_rule).
    select
        stream_codes.stream_id,
        coalesce(stream_code_types.stream_code_type, 'product') as stream_code_type,
        coalesce(stream_code_types.is_product, true) as is_product

    from stream_codes

    left join stream_code_types
        on {{ stream_code_matches('stream_codes.stream_id', 'stream_code_types') }}

),

renamed as (

    select
        {{ surrogate_key([
            'deduplicated.country', 'deduplicated.customer_id', 'deduplicated.invoice',
            'deduplicated.price', 'deduplicated.stream_id', 'deduplicated.times_viewed',
            'deduplicated.year', 'deduplicated.month', 'deduplicated.day',
            'deduplicated.extra_fields',
        ]) }} as invoice_line_id,
        {{ checked_cast(
            regexp_replace_all('deduplicated.invoice', "'[^0-9]'", "''"), 'bigint'
        ) }} as invoice_id,
        trim(deduplicated.invoice) as invoice_code,
        case
            when regexp_extract(trim(deduplicated.invoice), '^[A-Za-z]*', 0) = '' then 'sale'
            when upper(regexp_extract(trim(deduplicated.invoice), '^[A-Za-z]*', 0)) = 'C'
                then 'cancellation'
            else 'adjustment'
        end as invoice_type,
        {{ checked_make_date(
            checked_cast('deduplicated.year', 'integer'),
            checked_cast('deduplicated.month', 'integer'),
            checked_cast('deduplicated.day', 'integer')
        ) }} as invoice_date,
        deduplicated.invoice_month,
        case
            when deduplicated.customer_id = {{ truncated_number('deduplicated.customer_id') }}
                then {{ checked_cast('deduplicated.customer_id', 'bigint') }}
        end as customer_id,
        coalesce(country_spellings.country_name, trim(deduplicated.country)) as country_name,
        deduplicated.country as country_spelling,
        deduplicated.stream_id,
        classified_stream_codes.stream_code_type,
        classified_stream_codes.is_product,
        deduplicated.times_viewed,
        {{ double_to_decimal('deduplicated.price', 18, 2) }} as price,
        deduplicated.extra_fields,
        deduplicated.num_landed_copies,
        deduplicated.source_file,
        deduplicated.load_id,
        deduplicated.loaded_at

    from deduplicated

    left join country_spellings
        on lower(trim(deduplicated.country)) = country_spellings.country_spelling

    left join classified_stream_codes
        on deduplicated.stream_id = classified_stream_codes.stream_id

)

select * from renamed
