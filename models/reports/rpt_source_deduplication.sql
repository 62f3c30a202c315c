{#- The tables come from macros/deduplicated_source_tables.sql, the list the
    reconciliation test reads too. Billing lines are counted in fct_invoice_lines:
    it holds exactly staging's distinct lines (singular test
    assert_fct_invoice_lines_matches_staging) and is a table, so counting it does
    not re-deduplicate every raw billing line on each build. -#}
{%- set tables = deduplicated_source_tables() %}
-- sqlfluff:indentation:template_blocks_indent:False

with

{% for table in tables %}
{{ table.kept_in }} as (

    select * from {{ ref(table.kept_in) }}

),

{% endfor -%}

counted as (

    {% for table in tables -%}
    select
        '{{ table.source_table }}' as source_table,
        sum(num_landed_copies) as num_rows_landed,
        count(*) as num_rows_kept
    from {{ table.kept_in }}
    {%- if not loop.last %}

    union all

    {% endif %}
    {%- endfor %}

),

final as (

    select
        source_table,
        cast(coalesce(num_rows_landed, 0) as bigint) as num_rows_landed,
        num_rows_kept,
        cast(coalesce(num_rows_landed, 0) - num_rows_kept as bigint) as num_duplicate_rows

    from counted

)

select * from final
