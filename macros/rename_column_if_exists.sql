{#- SQL renaming a column of an existing relation, or nothing when the relation
    or the old column does not exist, or the new one already does. A one-time
    migration where a renamed column must keep its history (the snapshot's
    `plan_name` became `subscriber_type`: renaming in place keeps every
    version, where a new column would start a new version for every customer). -#}
{% macro rename_column_if_exists(relation, old_name, new_name) -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
        {%- if existing is not none -%}
            {%- set names = adapter.get_columns_in_relation(existing)
                | map(attribute='name') | map('lower') | list -%}
            {%- if old_name in names and new_name not in names -%}
                alter table {{ existing }} rename column {{ old_name }} to {{ new_name }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
