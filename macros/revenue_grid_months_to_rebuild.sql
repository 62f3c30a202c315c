{#-
    What an incremental build of the revenue grid (int_invoice_lines_aggregated_to_days)
    re-aggregates: the months whose raw fingerprint differs from the grid's, by the
    rule of the billing lines' own incremental tables (invoice_month_changes in
    macros/invoice_months_to_rebuild.sql). The grid keeps its fingerprint per day
    and series (`num_rows_landed`: sum of the lines' num_landed_copies;
    `newest_load_id`: max of their load_id); a month's is the sum and the max
    over the `All` series' days with lines.

    - revenue_grid_fingerprint(grid): the grid's days with lines in the shape
      invoice_month_changes reads (invoice_month, num_landed_copies, load_id);
    - revenue_grid_months_to_rebuild(): run by the model on an incremental
      build, the months as 'YYYY-MM-DD' texts (sorted); none (re-aggregate
      every month) when the grid was built before it kept its fingerprint.
-#}

{% macro revenue_grid_fingerprint(grid) -%}
    (
        select
            cast(date_trunc('month', revenue_date) as date) as invoice_month,
            num_rows_landed as num_landed_copies,
            newest_load_id as load_id
        from {{ grid }}
        where is_all_countries and num_invoice_lines > 0
    ) as revenue_grid_days
{%- endmacro %}


{% macro revenue_grid_months_to_rebuild() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set grid_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'num_rows_landed' not in grid_columns -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set months_query -%}
        select {{ date_text('invoice_month') }}
        from ({{ invoice_month_changes(revenue_grid_fingerprint(this), raw_invoice_lines_relation()) }}) as changes
        order by 1
    {%- endset -%}
    {{ return(run_query(months_query).columns[0].values() | list) }}
{%- endmacro %}
