{#- Deterministic md5 key over a list of column expressions; nulls and the
    separator cannot collide with values ('|' joins, '<null>' stands for null). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws(
        '|'
        {%- for column in columns %},
        coalesce(cast({{ column }} as varchar), '<null>')
        {%- endfor %}
    ))
{%- endmacro %}
