{#- The one rule by which a billing stream code matches a row of the seed
    stream_code_types: case-insensitive for both kinds, equality for `exact`,
    starts-with for `prefix`. Used by stg_billing__invoice_lines and by the
    singular test assert_stream_codes_match_at_most_one_rule. -#}
{% macro stream_code_matches(code, rule) -%}
    case {{ rule }}.match_type
        when 'exact' then lower({{ code }}) = lower({{ rule }}.stream_code)
        when 'prefix' then {{ text_starts_with('lower(' ~ code ~ ')', 'lower(' ~ rule ~ '.stream_code)') }}
        else false
    end
{%- endmacro %}
