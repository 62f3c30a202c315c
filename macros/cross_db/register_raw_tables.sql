{#- on-run-start: make the raw tables visible to the engine of the target.
    DuckDB: nothing to do, the loaders land them in the warehouse itself.
    Spark: every table of the Parquet export written by python_loaders.ingestion.raw_parquet
    after each load ($AAVAIL_RAW_PARQUET, default data/raw_parquet; its
    raw_catalog.parquet lists them) becomes an external table over its dataset
    <root>/<schema>/<table>/ (partition folders per _load_id, read recursively:
    the column types are the files' own, _load_id included). The tables are
    dropped and re-created on every run (external: no data is touched), so a
    new load's partitions and a new raw table are always seen. -#}
{% macro register_raw_tables() -%}
    {{ return(adapter.dispatch('register_raw_tables', 'aavail')()) }}
{%- endmacro %}

{% macro default__register_raw_tables() -%}
    {{ return('') }}
{%- endmacro %}

{% macro spark__register_raw_tables() -%}
    {%- if execute -%}
        {%- set root = env_var('AAVAIL_RAW_PARQUET', 'data/raw_parquet') | replace('\\', '/') -%}
        {%- set catalog = run_query(
            "select table_schema, table_name from parquet.`" ~ root ~ "/raw_catalog.parquet`"
            ~ " order by 1, 2"
        ) -%}
        {%- for schema in catalog.columns[0].values() | unique -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for row in catalog.rows -%}
            {%- set relation = row[0] ~ '.' ~ row[1] -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ " using parquet options (recursiveFileLookup 'true')"
                ~ " location '" ~ root ~ '/' ~ row[0] ~ '/' ~ row[1] ~ "'"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
