{#- Trim a place name; title-case it only when it is all lower or all upper case,
    so 'singapore' -> 'Singapore' while 'McAllen' stays as typed. Blank -> null. -#}
{% macro normalise_name(expression) -%}
    case
        when nullif(trim({{ expression }}), '') is null then null
        when trim({{ expression }}) = lower(trim({{ expression }}))
            or trim({{ expression }}) = upper(trim({{ expression }}))
            then {{ title_case(expression) }}
        else trim({{ expression }})
    end
{%- endmacro %}
