{#- dbt's hook behind the `where` config of data tests (same behaviour as the
    built-in one), with one named predicate added: `where: billing_months_under_test`
    is replaced at run time by the `billing_months_under_test()` predicate, so
    the tests that read every billing line only read the months the newest
    load brought, except on a full refresh. (dbt does not allow custom macros
    inside a test's `where` config itself.) -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == 'billing_months_under_test' -%}
        {%- set where = billing_months_under_test() -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
