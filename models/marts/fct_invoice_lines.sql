{#- Incremental by invoice month: a build rebuilds the months whose raw rows
    changed since the last build (macros/invoice_months_to_rebuild.sql). On
    DuckDB the pre-hook records those months and deletes their lines, and the
    months' lines are appended from staging (a month gone from raw stays
    deleted); on Spark each rebuilt month's partition is overwritten. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite' if target.type == 'spark' else 'append',
        partition_by=['invoice_month'] if target.type == 'spark' else none,
        file_format='parquet' if target.type == 'spark' else none,
        pre_hook="{{ record_invoice_month_rebuild() }}",
        on_schema_change='fail',
    )
}}

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
        -- literal months, so the filter reaches the raw table scan through the staging view
        where invoice_lines.invoice_month in (
            {{ invoice_month_literals(invoice_months_to_rebuild()) }}
        )
    {% endif %}

)

select * from final
