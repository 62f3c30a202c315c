{#- On DuckDB a table, incremental by invoice month like fct_invoice_lines
    (macros/invoice_months_to_rebuild.sql): the pre-hook records the months whose
    raw rows changed and deletes their lines; only those months' raw rows are
    deduplicated and appended, and readers read stored lines. On Spark a view. -#}
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
{%- set fields = ['country', 'customer_id', 'invoice', 'price', 'stream_id', 'times_viewed',
    'year', 'month', 'day', '_extra_fields'] %}{#- a record's source fields -#}

with

source as {{ not_materialized() }} (

    select * from {{ source('billing', 'invoice_lines') }}
    {% if is_incremental() %}
        -- only the rebuilt months' raw rows (literal year/month texts: DuckDB
        -- skips the other months' row groups in the scan)
        where {{ raw_invoice_month_filter(invoice_months_to_rebuild()) }}
    {% endif %}

),

country_spellings as (

    select * from {{ ref('country_spellings') }}

),

stream_code_types as (

    select * from {{ ref('stream_code_types') }}

),

hashed_source as {{ not_materialized() }} (

    select
        *,
        {{ row_hash(fields) }} as line_hash,
        -- of year and month: a filter on it reaches the raw scan (Spark view)
        {{ checked_make_date(
            checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
        ) }} as invoice_month

    from source

),

repeated_line_hashes as (

    -- hashes shared by 2+ records: exact duplicates, or (rarely) a collision
    select line_hash
    from hashed_source
    group by line_hash
    having count(*) > 1

),

deduplicated as (

    -- Exact duplicates (same values in every field) are one line, counted in num_landed_copies.
    -- Only records of a repeated hash are grouped, on every value (a collision never merges
    -- two lines): grouping all records spilled at 10M lines.
    select
        {{ fields | join(', ') }},
        invoice_month,
        cast(1 as bigint) as num_landed_copies,
        _source_file as source_file,
        _load_id as load_id,
        _loaded_at as loaded_at

    from hashed_source

    where line_hash not in (select repeated_line_hashes.line_hash from repeated_line_hashes)

    union all

    -- `_extra_fields` grouped as stored (JSON is text), cast per line below
    select
        {{ fields | join(', ') }},
        invoice_month,
        count(*) as num_landed_copies,
        min(_source_file) as source_file,
        max(_load_id) as load_id,
        max(_loaded_at) as loaded_at

    from hashed_source

    where line_hash in (select repeated_line_hashes.line_hash from repeated_line_hashes)

    group by {{ fields | join(', ') }}, invoice_month

),

invoice_codes as (

    -- each distinct invoice code parsed once (a few per hundred lines)
    select
        codes.invoice,
        {{ checked_cast(
            regexp_replace_all('codes.invoice', "'[^0-9]'", "''"), 'bigint'
        ) }} as invoice_id,
        trim(codes.invoice) as invoice_code,
        case
            when regexp_extract(trim(codes.invoice), '^[A-Za-z]*', 0) = '' then 'sale'
            when upper(regexp_extract(trim(codes.invoice), '^[A-Za-z]*', 0)) = 'C'
                then 'cancellation'
            else 'adjustment'
        end as invoice_type

    from (select distinct invoice from source) as codes

),

countries as (

    -- each distinct spelling mapped once
    select
        spellings.country,
        coalesce(country_spellings.country_name, trim(spellings.country)) as country_name

    from (select distinct country from source) as spellings

    left join country_spellings
        on lower(trim(spellings.country)) = country_spellings.country_spelling

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

    from (select distinct stream_id from source) as stream_codes

    left join stream_code_types
        on {{ stream_code_matches('stream_codes.stream_id', 'stream_code_types') }}

),

renamed as (

    select
        {{ surrogate_key(fields | map('replace', '', 'deduplicated.', 1) | list) }}
            as invoice_line_id,
        invoice_codes.invoice_id,
        invoice_codes.invoice_code,
        invoice_codes.invoice_type,
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
        countries.country_name,
        deduplicated.country as country_spelling,
        deduplicated.stream_id,
        classified_stream_codes.stream_code_type,
        classified_stream_codes.is_product,
        deduplicated.times_viewed,
        {{ double_to_decimal('deduplicated.price', 18, 2) }} as price,
        cast(deduplicated._extra_fields as string) as extra_fields,
        deduplicated.num_landed_copies,
        deduplicated.source_file,
        deduplicated.load_id,
        deduplicated.loaded_at

    from deduplicated

    left join invoice_codes -- null-safe: a NULL invoice/country is a value
        on deduplicated.invoice is not distinct from invoice_codes.invoice

    left join countries
        on deduplicated.country is not distinct from countries.country

    left join classified_stream_codes
        on deduplicated.stream_id = classified_stream_codes.stream_id

)

select * from renamed
