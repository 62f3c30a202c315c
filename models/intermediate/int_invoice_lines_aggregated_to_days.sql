-- The daily revenue grid: one row per series (each country, and `All` for all
-- countries together) per calendar day from the first to the last invoice
-- date, days without sales as zeros. The project's one zero-fill: the daily
-- marts filter it, the ml models read it as it is.
--
-- On DuckDB incremental by invoice month, by construction the grid a full build
-- gives (doc block `revenue_grid_incremental`): the months whose raw fingerprint
-- changed (macros/revenue_grid_months_to_rebuild.sql) are re-aggregated, the
-- other months' daily totals come from the grid itself, the whole grid is
-- zero-filled again from the union, and the merge writes what differs. A grid
-- built before it kept its fingerprint is re-aggregated whole. On Spark a table.
{%- set value_columns = [
    'is_all_countries', 'num_invoice_lines', 'num_invoices', 'num_stream_ids', 'num_views',
    'revenue', 'num_rows_landed', 'newest_load_id',
] -%}
{#- the merge rewrites a row only when one of its values differs -#}
{%- set row_differs = [] -%}
{%- for column in value_columns -%}
    {%- do row_differs.append(
        'DBT_INTERNAL_DEST.' ~ column ~ ' is distinct from DBT_INTERNAL_SOURCE.' ~ column
    ) -%}
{%- endfor -%}
{%- if target.type == 'duckdb' %}
    {{
        config(
            materialized='incremental',
            incremental_strategy='merge',
            unique_key=['revenue_date', 'series_name'],
            merge_clauses={
                'when_matched': [{
                    'action': 'update',
                    'mode': 'by_name',
                    'condition': '(' ~ row_differs | join(' or ') ~ ')',
                }],
                'when_not_matched': [
                    {'action': 'insert', 'mode': 'by_name'},
                    {'by': 'source', 'action': 'delete'},
                ],
            },
            on_schema_change='append_new_columns',
        )
    }}
{%- else %}
    {{ config(materialized='table') }}
{%- endif %}

{#- none: every month from staging, nothing from the grid (a full build) -#}
{%- set months_to_rebuild = revenue_grid_months_to_rebuild() if is_incremental() else none %}

with

invoice_lines as (

    -- staging, not the fct_invoice_lines mart: an intermediate model reads only
    -- earlier layers (dbt-score rule no_dependency_on_later_layer); both hold the
    -- same rows (singular test assert_fct_invoice_lines_matches_staging)
    select * from {{ ref('stg_billing__invoice_lines') }}
    {% if months_to_rebuild is not none %}
        -- only the re-aggregated months (literal months: filtered at the scan)
        where {{ invoice_month_in('invoice_month', months_to_rebuild) }}
    {% endif %}

),

calendar_days as (

    select * from {{ ref('util_calendar_days') }}

),

rolled_up as (

    -- one pass for both grains (rollup: per country, per day for all countries,
    -- and a grand total that the calendar join drops); the all-countries rows
    -- come from the lines, not from summing countries: distinct counts do not add up
    {{ invoice_lines_daily_rollup('invoice_lines') }}

),

{% if months_to_rebuild is not none %}
    previous_days as (

        -- the other months' rollup rows, as the grid holds them (its days with lines)
        select
            revenue_date,
            case when not is_all_countries then series_name end as country_name,
            is_all_countries,
            num_invoice_lines,
            num_invoices,
            num_stream_ids,
            num_views,
            revenue,
            num_rows_landed,
            newest_load_id

        from {{ this }}

        where
            num_invoice_lines > 0
            {% if months_to_rebuild | length > 0 %}
                and cast(date_trunc('month', revenue_date) as date)
                not in ({{ invoice_month_literals(months_to_rebuild) }})
            {% endif %}

    ),
{% endif %}

daily as (

    select * from rolled_up
    {% if months_to_rebuild is not none %}
        union all
        select * from previous_days
    {% endif %}

),

date_bounds as (

    select
        min(revenue_date) as first_date,
        max(revenue_date) as last_date

    from daily

),

calendar as (

    -- every calendar day from the first to the last invoice date (none without lines)
    select calendar_days.date_day as revenue_date

    from calendar_days

    inner join date_bounds
        on calendar_days.date_day between date_bounds.first_date and date_bounds.last_date

),

series as (

    -- each country, and all countries together
    select distinct
        country_name as series_name,
        false as is_all_countries

    from daily

    where not is_all_countries and revenue_date is not null

    union all

    select
        'All' as series_name,
        true as is_all_countries

),

final as (

    select
        calendar.revenue_date,
        series.series_name,
        series.is_all_countries,
        coalesce(daily.num_invoice_lines, 0) as num_invoice_lines,
        coalesce(daily.num_invoices, 0) as num_invoices,
        coalesce(daily.num_stream_ids, 0) as num_stream_ids,
        cast(coalesce(daily.num_views, 0) as bigint) as num_views,
        cast(coalesce(daily.revenue, 0) as decimal(18, 2)) as revenue,
        cast(coalesce(daily.num_rows_landed, 0) as bigint) as num_rows_landed,
        daily.newest_load_id

    from calendar

    cross join series

    left join daily
        on
            calendar.revenue_date = daily.revenue_date
            and series.is_all_countries = daily.is_all_countries
            and (series.is_all_countries or series.series_name = daily.country_name)

)

select * from final
