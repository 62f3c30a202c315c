-- The revenue grid (int_invoice_lines_aggregated_to_days, incremental by month)
-- agrees with the staged invoice lines after the build. Returns one row per day
-- and series, or per series, that disagrees:
-- - every day, cheaply (sums, counts and maxima; no distinct counts): the `All`
--   series equals the day's lines (lines, views, revenue, landed raw rows, newest
--   load), and the countries' additive totals add up to it: a month left stale
--   (not re-aggregated after its lines changed), missing, or kept after its lines
--   vanished is returned;
-- - every series: exactly the countries of the lines and `All`, each on every day
--   from the first to the last invoice date;
-- - in the months the latest build rebuilt (every month on a full build or with
--   `--vars '{full_history_tests: true}'`; macros/invoice_months_to_rebuild.sql),
--   every day of every series, distinct counts included, equals its
--   recomputation from the lines.

with

lines as (

    select
        invoice_date,
        invoice_month,
        country_name,
        invoice_id,
        stream_id,
        times_viewed,
        price,
        num_landed_copies,
        load_id
    from {{ ref('stg_billing__invoice_lines') }}

),

grid as (

    select
        revenue_date,
        series_name,
        is_all_countries,
        num_invoice_lines,
        num_invoices,
        num_stream_ids,
        num_views,
        revenue,
        num_rows_landed,
        newest_load_id,
        cast(date_trunc('month', revenue_date) as date) as invoice_month
    from {{ ref('int_invoice_lines_aggregated_to_days') }}

),

bounds as (

    select
        min(invoice_date) as first_date,
        max(invoice_date) as last_date
    from lines

),

range_days as (

    select calendar_days.date_day as revenue_date
    from {{ ref('util_calendar_days') }} as calendar_days
    inner join bounds
        on calendar_days.date_day between bounds.first_date and bounds.last_date

),

day_totals as (

    select
        invoice_date as revenue_date,
        count(*) as num_invoice_lines,
        coalesce(sum(times_viewed), 0) as num_views,
        sum(price) as revenue,
        sum(num_landed_copies) as num_rows_landed,
        max(load_id) as newest_load_id
    from lines
    group by invoice_date

),

all_series as (

    select * from grid
    where is_all_countries

),

all_series_mismatches as (

    select
        coalesce(range_days.revenue_date, all_series.revenue_date) as revenue_date,
        'All' as series_name,
        'the All series differs from the lines of the day' as problem

    from range_days

    left join day_totals
        on range_days.revenue_date = day_totals.revenue_date

    full outer join all_series
        on range_days.revenue_date = all_series.revenue_date

    where
        range_days.revenue_date is null
        or all_series.revenue_date is null
        or all_series.num_invoice_lines <> coalesce(day_totals.num_invoice_lines, 0)
        or all_series.num_views <> coalesce(day_totals.num_views, 0)
        or all_series.revenue <> coalesce(day_totals.revenue, 0)
        or all_series.num_rows_landed <> coalesce(day_totals.num_rows_landed, 0)
        or coalesce(all_series.newest_load_id, -1) <> coalesce(day_totals.newest_load_id, -1)

),

country_sums as (

    select
        revenue_date,
        sum(num_invoice_lines) as num_invoice_lines,
        sum(num_views) as num_views,
        sum(revenue) as revenue,
        sum(num_rows_landed) as num_rows_landed,
        max(newest_load_id) as newest_load_id
    from grid
    where not is_all_countries
    group by revenue_date

),

country_sum_mismatches as (

    select
        all_series.revenue_date,
        'All' as series_name,
        'the countries do not add up to the All series' as problem

    from all_series

    left join country_sums
        on all_series.revenue_date = country_sums.revenue_date

    where
        all_series.num_invoice_lines <> coalesce(country_sums.num_invoice_lines, 0)
        or all_series.num_views <> coalesce(country_sums.num_views, 0)
        or all_series.revenue <> coalesce(country_sums.revenue, 0)
        or all_series.num_rows_landed <> coalesce(country_sums.num_rows_landed, 0)
        or coalesce(all_series.newest_load_id, -1) <> coalesce(country_sums.newest_load_id, -1)

),

expected_series as (

    select distinct country_name as series_name from lines

    union all

    select 'All' as series_name

),

grid_series as (

    select
        series_name,
        count(*) as num_days,
        min(revenue_date) as first_date,
        max(revenue_date) as last_date
    from grid
    group by series_name

),

range_size as (

    select count(*) as num_days from range_days

),

series_mismatches as (

    select
        cast(null as date) as revenue_date,
        coalesce(expected_series.series_name, grid_series.series_name) as series_name,
        'the series is missing, extra, or not on every day of the range' as problem

    from expected_series

    full outer join grid_series
        on expected_series.series_name = grid_series.series_name

    cross join bounds

    cross join range_size

    where
        expected_series.series_name is null
        or grid_series.series_name is null
        or grid_series.num_days <> range_size.num_days
        or grid_series.first_date <> bounds.first_date
        or grid_series.last_date <> bounds.last_date

),

rebuilt_lines as (

    select * from lines
    where {{ rebuilt_invoice_months_predicate() }}

),

rebuilt_rollup as (

    {{ invoice_lines_daily_rollup('rebuilt_lines') }}

),

rebuilt_totals as (

    -- each day per country and for all countries (`All`); not the rollup's grand total
    select
        revenue_date,
        case when is_all_countries then 'All' else country_name end as series_name,
        num_invoice_lines,
        num_invoices,
        num_stream_ids,
        coalesce(num_views, 0) as num_views,
        revenue,
        num_rows_landed,
        newest_load_id
    from rebuilt_rollup
    where revenue_date is not null or not is_all_countries

),

rebuilt_grid as (

    select * from grid
    where {{ rebuilt_invoice_months_predicate() }}

),

rebuilt_mismatches as (

    select
        coalesce(rebuilt_grid.revenue_date, rebuilt_totals.revenue_date) as revenue_date,
        coalesce(rebuilt_grid.series_name, rebuilt_totals.series_name) as series_name,
        'the day differs from its lines (a rebuilt month)' as problem

    from rebuilt_grid

    full outer join rebuilt_totals
        on
            rebuilt_grid.revenue_date = rebuilt_totals.revenue_date
            and rebuilt_grid.series_name = rebuilt_totals.series_name

    where
        rebuilt_grid.revenue_date is null
        or rebuilt_grid.num_invoice_lines <> coalesce(rebuilt_totals.num_invoice_lines, 0)
        or rebuilt_grid.num_invoices <> coalesce(rebuilt_totals.num_invoices, 0)
        or rebuilt_grid.num_stream_ids <> coalesce(rebuilt_totals.num_stream_ids, 0)
        or rebuilt_grid.num_views <> coalesce(rebuilt_totals.num_views, 0)
        or rebuilt_grid.revenue <> coalesce(rebuilt_totals.revenue, 0)
        or rebuilt_grid.num_rows_landed <> coalesce(rebuilt_totals.num_rows_landed, 0)
        or coalesce(rebuilt_grid.newest_load_id, -1) <> coalesce(rebuilt_totals.newest_load_id, -1)

),

final as (

    select * from all_series_mismatches
    union all
    select * from country_sum_mismatches
    union all
    select * from series_mismatches
    union all
    select * from rebuilt_mismatches

)

select * from final
