{#- On DuckDB a view over the staging table, which is incremental by invoice
    month (macros/invoice_months_to_rebuild.sql): the lines are deduplicated,
    keyed and stored once, in staging, and this mart adds no copy of them
    (`publish` copies it into the published file as a table). On Spark, where
    staging is a view, a table incremental by invoice month: each rebuilt
    month's partition is overwritten. -#}
{%- if target.type == 'spark' %}
    {{
        config(
            materialized='incremental',
            incremental_strategy='insert_overwrite',
            partition_by=['invoice_month'],
            file_format='parquet',
            on_schema_change='fail',
        )
    }}
{%- else %}
    {{ config(materialized='view') }}
{%- endif %}

with

invoice_lines as (

    select * from {{ ref('stg_billing__invoice_lines') }}

),

final as (

    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        invoice_lines.invoice_code,
        invoice_lines.invoice_type,
        invoice_lines.invoice_date,
        invoice_lines.invoice_month,
        invoice_lines.customer_id,
        invoice_lines.country_name,
        invoice_lines.stream_id,
        invoice_lines.stream_code_type,
        invoice_lines.is_product,
        invoice_lines.times_viewed,
        invoice_lines.price,
        invoice_lines.num_landed_copies,
        invoice_lines.source_file,
        invoice_lines.load_id,
        invoice_lines.loaded_at

    from invoice_lines

    {% if is_incremental() %}
        -- the rebuilt months (literal months: the filter reaches the raw scan through staging)
        where {{ invoice_month_in('invoice_lines.invoice_month', invoice_months_to_rebuild()) }}
    {% endif %}

)

select * from final
