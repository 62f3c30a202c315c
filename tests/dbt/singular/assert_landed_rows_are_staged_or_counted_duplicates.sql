-- Every landed raw row is either kept by staging or counted as a removed
-- exact duplicate, as rpt_source_deduplication reports it: for each table of
-- the macro deduplicated_source_tables (the report's own list), the raw row
-- count equals the report's num_rows_landed and num_rows_kept +
-- num_duplicate_rows. The list is complete: a staging model with num_landed_copies
-- (it deduplicates) whose source is not listed is a failure too. Returns one
-- row per table that does not reconcile.
{%- set tables = deduplicated_source_tables() %}
{%- set listed = tables | map(attribute='staging_model') | list %}
{%- set unlisted = [] %}
{#- staging models that deduplicate (they have num_landed_copies) but are not listed -#}
{%- for node in (graph.nodes.values() if execute else []) -%}
{%- if node.resource_type == 'model' and node.package_name == project_name
    and node.fqn[1] == 'staging' and 'num_landed_copies' in node.columns
    and node.name not in listed -%}
{%- do unlisted.append(node.name) -%}
{%- endif -%}
{%- endfor %}
-- sqlfluff:indentation:template_blocks_indent:False

with

landed as (

    {% for table in tables -%}
    select
        '{{ table.source_table }}' as source_table,
        count(*) as num_rows_landed
    from {{ source(table.source_name, table.table_name) }}
    {%- if not loop.last %}

    union all

    {% endif %}
    {%- endfor %}

),

reported as (

    select * from {{ ref('rpt_source_deduplication') }}

),

unreconciled as (

    select
        landed.source_table,
        landed.num_rows_landed,
        reported.num_rows_landed as reported_rows_landed,
        reported.num_rows_kept as reported_rows_kept,
        reported.num_duplicate_rows as reported_duplicate_rows

    from landed

    left join reported
        on landed.source_table = reported.source_table

    where
        reported.source_table is null
        or reported.num_rows_landed <> landed.num_rows_landed
        or reported.num_rows_kept + reported.num_duplicate_rows <> landed.num_rows_landed

),

unlisted as (

    {% for name in unlisted -%}
    select
        'staging model {{ name }} deduplicates but is not in deduplicated_source_tables()'
            as source_table,
        null as num_rows_landed,
        null as reported_rows_landed,
        null as reported_rows_kept,
        null as reported_duplicate_rows
    union all
    {% endfor -%}
    select
        null as source_table,
        null as num_rows_landed,
        null as reported_rows_landed,
        null as reported_rows_kept,
        null as reported_duplicate_rows
    where false

),

final as (

    select * from unreconciled
    union all
    select * from unlisted

)

select * from final
