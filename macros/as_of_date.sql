{#- The reference date for ages and the birth-date century pivot: var as_of_date, else today. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of_date', none) -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
