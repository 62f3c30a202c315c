{#- A predicate on `invoice_month` for the tests that read every billing line.
    A full refresh (`dbt build --full-refresh`) or `--vars '{full_history_tests: true}'`
    tests the whole history: the predicate is `true`. Any other build tests the
    months that the newest billing load landed rows for (what an incremental
    build just processed), as date literals so that DuckDB pushes the filter
    through the staging view down to the raw table scan. The raw table is found
    through the graph rather than `source()`, because generic tests cannot
    declare extra dependencies. -#}
{% macro billing_months_under_test() -%}
    {%- if not execute or flags.FULL_REFRESH or var('full_history_tests', false) -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set raw = graph.sources.values()
        | selectattr('source_name', 'equalto', 'billing')
        | selectattr('name', 'equalto', 'invoice_lines')
        | first -%}
    {%- if adapter.get_relation(raw.database, raw.schema, raw.identifier) is none -%}
        {{ return('true') }}  {#- nothing landed yet (or only compiling, e.g. sqlfluff) -#}
    {%- endif -%}
    {%- set months_query -%}
        select distinct
            {{ date_text('make_date(cast(year as integer), cast(month as integer), 1)') }}
        from {{ raw.relation_name }}
        where _load_id = (select max(_load_id) from {{ raw.relation_name }})
        order by 1
    {%- endset -%}
    {%- set months = run_query(months_query).columns[0].values() -%}
    {%- if months | length == 0 -%}
        {{ return('true') }}
    {%- endif -%}
    invoice_month in (
        {%- for month in months -%}
            date '{{ month }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}
