{#- Deterministic md5 key over a list of column expressions; nulls and the
    separator cannot collide with values ('|' joins, '<null>' stands for null). -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws(
        '|'
        {%- for column in columns %},
        coalesce({{ value_text(column) }}, '<null>')
        {%- endfor %}
    ))
{%- endmacro %}
