{#-
    Build audit for write-audit-publish: every dbt command that writes models
    records itself in raw_meta.dbt_invocations (on-run-start: `running`;
    on-run-end: `success` or `error`). `python -m python_loaders publish`
    publishes a build only when it is the warehouse's latest such command and
    it finished green, so a killed, partial or newer build is never published.
    Only on DuckDB, and only once the loader has created raw_meta.
-#}
{% macro record_build(results=none) %}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in ('build', 'run', 'seed', 'snapshot') -%}
        {%- set has_raw_meta = run_query(
            "select count(*) from information_schema.schemata where schema_name = 'raw_meta'"
        ).columns[0].values()[0] -%}
        {%- if has_raw_meta -%}
            {%- set now_utc = "cast(now() at time zone 'UTC' as timestamp)" -%}
            {%- if results is none -%}
                {%- set record -%}
                    insert into raw_meta.dbt_invocations
                    values ('{{ invocation_id }}', '{{ flags.WHICH }}', {{ now_utc }}, null, 'running')
                {%- endset -%}
            {%- else -%}
                {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error', 'skipped']) | list -%}
                {%- set record -%}
                    update raw_meta.dbt_invocations
                    set finished_at = {{ now_utc }}, status = '{{ 'error' if failed else 'success' }}'
                    where invocation_id = '{{ invocation_id }}'
                {%- endset -%}
            {%- endif -%}
            {#- auto_begin + commit: an earlier hook may have left a transaction open,
                and dbt rolls back whatever is uncommitted when the hooks' connection closes -#}
            {%- call statement('record_build_table', auto_begin=True) -%}
                create table if not exists raw_meta.dbt_invocations (
                    invocation_id varchar primary key,
                    command varchar not null,
                    started_at timestamp not null,
                    finished_at timestamp,
                    status varchar not null
                )
            {%- endcall -%}
            {%- call statement('record_build', auto_begin=True) -%}{{ record }}{%- endcall -%}
            {%- do adapter.commit() -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
