{#- Title-case a text expression word by word: 'rock hILL' -> 'Rock Hill'. -#}
{% macro title_case(expression) -%}
    array_to_string(
        list_transform(
            string_split(lower(trim({{ expression }})), ' '),
            lambda word: upper(left(word, 1)) || substr(word, 2)
        ),
        ' '
    )
{%- endmacro %}
