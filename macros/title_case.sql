{#- Title-case a text expression word by word: 'rock hILL' -> 'Rock Hill'. -#}
{% macro title_case(expression) -%}
    {{ title_case_words('lower(trim(' ~ expression ~ '))') }}
{%- endmacro %}
