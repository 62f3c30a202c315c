{#-
    on-run-start: refuse to build, in one line, before any node runs, when
    - a var has a bad value (`as_of_date` must be null or an ISO date
      YYYY-MM-DD, `full_history_tests` true or false), instead of failing
      after a hundred nodes ran;
    - the warehouse holds no raw data yet (no `load` ever landed a file),
      instead of one error per staging model.
    The raw-data check runs for commands that read raw data (build, run,
    test, snapshot) on a DuckDB warehouse file.
-#}
{% macro check_run_preconditions() %}
    {%- if execute -%}
        {{ check_vars() }}
        {%- if flags.WHICH in ('build', 'run', 'test', 'snapshot') and target.type == 'duckdb'
            and target.path not in ('', ':memory:') -%}
            {{ check_raw_data_landed() }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro check_vars() %}
    {%- set as_of = var('as_of_date', none) -%}
    {%- if as_of is not none and as_of is not string and as_of.isoformat is defined -%}
        {%- set as_of = as_of.isoformat() -%}
    {%- endif -%}
    {%- if as_of is not none and not is_iso_date(as_of) -%}
        {{ exceptions.raise_compiler_error(
            "var as_of_date must be null or an ISO date YYYY-MM-DD, got " ~ (as_of | tojson)
        ) }}
    {%- endif -%}
    {%- set full_history = var('full_history_tests', false) -%}
    {%- if full_history not in (true, false) -%}
        {{ exceptions.raise_compiler_error(
            "var full_history_tests must be true or false, got " ~ (full_history | tojson)
        ) }}
    {%- endif -%}
{% endmacro %}


{#- True when `text` is a string naming a real calendar date as YYYY-MM-DD. -#}
{% macro is_iso_date(text) %}
    {%- if text is not string or not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year, month, day = text.split('-') | map('int') | list -%}
    {%- if year < 1 or month < 1 or month > 12 or day < 1 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set last_day = 31 -%}
    {%- if month < 12 -%}
        {%- set first_of_next = modules.datetime.date(year, month + 1, 1) -%}
        {%- set last_day = (first_of_next - modules.datetime.timedelta(days=1)).day -%}
    {%- endif -%}
    {{ return(day <= last_day) }}
{% endmacro %}


{% macro check_raw_data_landed() %}
    {%- set files = adapter.get_relation(database=target.database, schema='raw_meta', identifier='files') -%}
    {%- set landed = 0 -%}
    {%- if files is not none -%}
        {%- set landed = run_query(
            "select count(*) from " ~ files ~ " where status = 'landed' or rows_landed > 0"
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if landed == 0 -%}
        {{ exceptions.raise_compiler_error(
            "no raw data yet in " ~ target.path
            ~ ": run python -m python_loaders load --source-dir DIR first"
        ) }}
    {%- endif -%}
{% endmacro %}
