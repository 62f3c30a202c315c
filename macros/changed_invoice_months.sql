{#- The invoice months an incremental run of fct_invoice_lines must rebuild,
    as a comma-separated list of date literals (or null when there are none):
    months that received rows in a load newer than the table, and months whose
    landed row count no longer matches the table (rows removed). Runs one small
    query over stg_billing__invoice_line_batches and the table itself. -#}
{% macro changed_invoice_months() -%}
    {%- if not execute -%}
        {{ return('null') }}
    {%- endif -%}
    {%- set months_query -%}
        with landed_months as (
            select
                invoice_month,
                max(load_id) as newest_load_id,
                sum(rows_landed) as rows_landed
            from {{ ref('stg_billing__invoice_line_batches') }}
            group by invoice_month
        ),

        built_months as (
            select
                invoice_month,
                sum(num_landed_copies) as rows_landed
            from {{ this }}
            group by invoice_month
        )

        select {{ date_text('landed_months.invoice_month') }} as invoice_month
        from landed_months
        left join built_months
            on landed_months.invoice_month = built_months.invoice_month
        where
            landed_months.newest_load_id > (select coalesce(max(load_id), -1) from {{ this }})
            or built_months.rows_landed is null
            or landed_months.rows_landed <> built_months.rows_landed
        order by 1
    {%- endset -%}
    {%- set months = run_query(months_query).columns[0].values() -%}
    {%- if months | length == 0 -%}
        null
    {%- else -%}
        {%- for month in months -%}
            date '{{ month }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
