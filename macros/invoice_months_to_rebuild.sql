{#-
    What an incremental build of the billing lines rebuilds, defined once, for
    every table built by invoice month: stg_billing__invoice_lines (deduplicates
    the rebuilt months' raw rows; the fct_invoice_lines mart is a view of it on
    DuckDB, a table incremental by the same months on Spark), fct_invoices
    (aggregates them to invoices) and, through its own fingerprint
    columns, the revenue grid (macros/revenue_grid_months_to_rebuild.sql).

    A month's fingerprint is its number of raw rows and the newest `_load_id`
    among them (in the built table: sum of `num_landed_copies`, max of
    `load_id`). Every change the loader makes to a month changes it: new rows
    carry a new, larger load id (a new month, a re-landed or moved file), and
    removed rows lower the count (a pruned file, a re-landing that rejected
    rows). A month is rebuilt when its fingerprints differ, whatever number
    of loads landed since the last build; a month that vanished from raw is
    rebuilt empty (its lines deleted).

    - invoice_month_changes(built, raw): the SQL listing those months;
    - invoice_months_to_rebuild(): run by the model, its months as text;
    - record_invoice_month_rebuild(months): the models' pre-hook, records them
      in raw_meta.dbt_invoice_month_rebuilds and deletes them from the table;
    - rebuilt_invoice_months_predicate(): for the tests scoped to what the
      build rebuilt (the recorded months of the latest build).
-#}

{% macro invoice_month_changes(built, raw) -%}
    with

    raw_year_months as (

        -- grouped by the raw text first: the checked casts below then type a few
        -- dozen groups instead of every raw row (every distinct pair still checked)
        select
            year,
            month,
            count(*) as num_rows_landed,
            max(_load_id) as newest_load_id
        from {{ raw }}
        group by year, month

    ),

    raw_months as (

        select
            {{ checked_make_date(
                checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
            ) }} as invoice_month,
            sum(num_rows_landed) as num_rows_landed,
            max(newest_load_id) as newest_load_id
        from raw_year_months
        group by 1

    ),

    built_months as (

        select
            invoice_month,
            sum(num_landed_copies) as num_rows_landed,
            max(load_id) as newest_load_id
        from {{ built }}
        group by 1

    ),

    changes as (

        select
            coalesce(raw_months.invoice_month, built_months.invoice_month) as invoice_month,
            case
                when built_months.invoice_month is null then 'new'
                when raw_months.invoice_month is null then 'vanished'
                else 'changed'
            end as change,
            coalesce(raw_months.num_rows_landed, 0) as num_rows_landed,
            coalesce(built_months.num_rows_landed, 0) as num_rows_built

        from raw_months

        full outer join built_months
            on raw_months.invoice_month = built_months.invoice_month

        where
            raw_months.invoice_month is null
            or built_months.invoice_month is null
            or raw_months.num_rows_landed <> built_months.num_rows_landed
            or raw_months.newest_load_id <> built_months.newest_load_id

    )

    select * from changes
{%- endmacro %}


{#- The raw billing table, found through the graph: the marts built by month read
    it only to compare fingerprints (their lines come through staging, so they
    declare no source dependency, which only staging models may have). -#}
{% macro raw_invoice_lines_relation() -%}
    {%- set raw = graph.sources.values()
        | selectattr('source_name', 'equalto', 'billing')
        | selectattr('name', 'equalto', 'invoice_lines')
        | first -%}
    {{ return(raw.relation_name) }}
{%- endmacro %}


{#- The months the incremental run rebuilds, as 'YYYY-MM-DD' texts (sorted);
    every raw month when the table does not exist yet or on a full refresh. -#}
{% macro invoice_months_to_rebuild() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if is_incremental() -%}
        {%- set months_query -%}
            select {{ date_text('invoice_month') }}
            from ({{ invoice_month_changes(this, raw_invoice_lines_relation()) }}) as changes
            order by 1
        {%- endset -%}
    {%- else -%}
        {%- set months_query -%}
            select distinct {{ date_text(checked_make_date(
                checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
            )) }}
            from {{ raw_invoice_lines_relation() }}
            order by 1
        {%- endset -%}
    {%- endif -%}
    {{ return(run_query(months_query).columns[0].values() | list) }}
{%- endmacro %}


{#- Date literals for a list of 'YYYY-MM-DD' texts (`null` for none), so that
    DuckDB pushes an `invoice_month in (...)` filter down to the raw scan. -#}
{% macro invoice_month_literals(months) -%}
    {%- if months | length == 0 -%}
        null
    {%- else -%}
        {%- for month in months -%}
            date '{{ month }}'{{ ", " if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- `column in (<months>)` for a list of 'YYYY-MM-DD' texts, `false` for none
    (DuckDB folds `false` into an empty scan; `x in (null)` still reads every row). -#}
{% macro invoice_month_in(column, months) -%}
    {%- if months | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in ({{ invoice_month_literals(months) }})
    {%- endif -%}
{%- endmacro %}


{#- The raw billing rows of the given months ('YYYY-MM-DD' texts), as a filter on
    the raw table's own columns: the exact rule (the checked month of `year` and
    `month` in the list) after a prefilter on the raw texts those months are
    written with (found by one grouped read of raw), which DuckDB applies to the
    scan itself and so skips the row groups of other months (each file lands
    whole, so a month's rows sit together). `false` for no month. -#}
{% macro raw_invoice_month_filter(months) -%}
    {%- if months | length == 0 -%}
        {{ return('false') }}
    {%- endif -%}
    {%- set month_expression = checked_make_date(
        checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
    ) -%}
    {%- set texts_query -%}
        select year, month
        from (
            select year, month
            from {{ raw_invoice_lines_relation() }}
            group by year, month
        ) as raw_year_months
        where {{ month_expression }} in ({{ invoice_month_literals(months) }})
    {%- endset -%}
    {%- set texts = run_query(texts_query) -%}
    {%- set years = texts.columns[0].values() | unique | list -%}
    {%- set month_texts = texts.columns[1].values() | unique | list -%}
    {%- if years | length == 0 -%}
        {{ return('false') }}
    {%- endif -%}
    year in ({{ text_literals(years) }})
    and month in ({{ text_literals(month_texts) }})
    and {{ month_expression }} in ({{ invoice_month_literals(months) }})
{%- endmacro %}


{#- SQL text literals for a list of texts. -#}
{% macro text_literals(texts) -%}
    {%- for text in texts -%}
        '{{ text | replace("'", "''") }}'{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{#- Pre-hook of stg_billing__invoice_lines and fct_invoices (DuckDB):
    records the months this build rebuilds (one row per month, or one row with a null month when there are
    none) under dbt's invocation id, and on an incremental run deletes their
    lines; the model then appends the months' lines. Runs in
    the model's transaction, so a failed build records and deletes nothing. -#}
{% macro record_invoice_month_rebuild() -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set months = invoice_months_to_rebuild() -%}
        {%- call statement('invoice_month_rebuilds_table') -%}
            create table if not exists raw_meta.dbt_invoice_month_rebuilds (
                invocation_id varchar not null,
                invoice_month date,
                recorded_at timestamp not null
            )
        {%- endcall -%}
        {%- call statement('record_invoice_month_rebuild') -%}
            insert into raw_meta.dbt_invoice_month_rebuilds
            select
                '{{ invocation_id }}',
                unnest([{{ invoice_month_literals(months) }}]),
                cast(now() at time zone 'UTC' as timestamp)
        {%- endcall -%}
        {%- if is_incremental() and months | length > 0 -%}
            {%- call statement('delete_rebuilt_invoice_months') -%}
                delete from {{ this }}
                where invoice_month in ({{ invoice_month_literals(months) }})
            {%- endcall -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- The months the latest build of the billing lines rebuilt (as recorded by the
    pre-hooks of stg_billing__invoice_lines and fct_invoices; in `dbt build`,
    this build), as sorted 'YYYY-MM-DD' texts; none (every month) with
    `--vars '{full_history_tests: true}'`, on Spark, or before any build was
    recorded. -#}
{% macro rebuilt_invoice_months() -%}
    {%- if not execute or var('full_history_tests', false) or target.type != 'duckdb' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if adapter.get_relation(target.database, 'raw_meta', 'dbt_invoice_month_rebuilds') is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set months_query -%}
        with latest as (
            select invocation_id
            from raw_meta.dbt_invoice_month_rebuilds
            order by recorded_at desc
            limit 1
        )
        select distinct {{ date_text('invoice_month') }}
        from raw_meta.dbt_invoice_month_rebuilds
        where
            invocation_id = (select invocation_id from latest)
            and invoice_month is not null
        order by 1
    {%- endset -%}
    {{ return(run_query(months_query).columns[0].values() | list) }}
{%- endmacro %}


{#- A predicate on `invoice_month` for the tests scoped to what the build
    rebuilt (`rebuilt_invoice_months`), as date literals so DuckDB pushes the
    filter down to the table scans: `true` for every month, `false` when the
    latest build rebuilt no month. -#}
{% macro rebuilt_invoice_months_predicate() -%}
    {%- set months = rebuilt_invoice_months() -%}
    {%- if months is none -%}
        {{ return('true') }}
    {%- endif -%}
    {{ invoice_month_in('invoice_month', months) }}
{%- endmacro %}


{#- The same scope as a filter on the raw billing table's own columns
    (`raw_invoice_month_filter`: skips other months' row groups in the scan). -#}
{% macro rebuilt_raw_invoice_months_predicate() -%}
    {%- set months = rebuilt_invoice_months() -%}
    {%- if months is none -%}
        {{ return('true') }}
    {%- endif -%}
    {{ raw_invoice_month_filter(months) }}
{%- endmacro %}
