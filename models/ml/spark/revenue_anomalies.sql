{#- ml.revenue_anomalies on Spark: the SQL twin of models/ml/revenue_anomalies.py
    (dbt-spark runs Python models only on Databricks). Same columns, types and
    rows; the definitions are those of ml_features/revenue_anomalies.py, whose
    constants these must equal (tests/python/spark/ checks both, and the rows
    against the DuckDB build). For each day t with 28 earlier days in its
    series, the window W = t-28 .. t-1 is joined to t (28 rows per day) and
    reduced step by step: weekday medians, transform scale, asinh scale,
    weekday medians of z, deviations, noise scale. Medians are the middle of
    the sorted values (the mean of the two middle ones for 4 and 28 values, as
    numpy computes them). -#}
{%- set weeks = 4 -%}
{%- set window_days = 7 * weeks -%}
{%- set threshold = 3.5 -%}
{%- set residual_mad_to_sigma = 2.32 -%}
{%- set residual_mean_to_sigma = 1.72 -%}
{%- set min_transform_scale = 1.0 -%}
{%- set transform_share = 0.1 -%}
{%- set min_noise_scale = 0.1 -%}

with

revenue_grid as (

    select * from {{ ref('int_invoice_lines_aggregated_to_days') }}

),

daily as (

    select series_name, is_all_countries, revenue_date, revenue from revenue_grid

),

positioned as (

    select
        series_name,
        is_all_countries,
        revenue_date,
        revenue,
        cast(revenue as double) as amount,
        row_number() over (partition by series_name order by revenue_date) - 1 as day_position

    from daily

),

window_days as (

    -- every day t with a full window, with each of the 28 days before it;
    -- weekday 0 is t's own weekday
    select
        days.series_name,
        days.day_position,
        earlier.amount,
        pmod(earlier.day_position - days.day_position, 7) as weekday

    from positioned as days

    inner join positioned as earlier
        on
            days.series_name = earlier.series_name
            and earlier.day_position between days.day_position - {{ window_days }}
            and days.day_position - 1

    where days.day_position >= {{ window_days }}

),

weekday_levels as (

    select series_name, day_position, weekday, {{ spark_median_of('amount', weeks) }} as level
    from window_days
    group by series_name, day_position, weekday

),

transforms as (

    select
        series_name,
        day_position,
        greatest(
            {{ transform_share }} * {{ spark_median_of('abs(level)', 7) }}, {{ min_transform_scale }}
        ) as transform_scale

    from weekday_levels

    group by series_name, day_position

),

window_z as (

    select
        window_days.series_name,
        window_days.day_position,
        window_days.weekday,
        {{ spark_asinh('window_days.amount / transforms.transform_scale') }} as z

    from window_days

    inner join transforms
        on
            window_days.series_name = transforms.series_name
            and window_days.day_position = transforms.day_position

),

weekday_z as (

    select series_name, day_position, weekday, {{ spark_median_of('z', weeks) }} as median_z
    from window_z
    group by series_name, day_position, weekday

),

noise as (

    select
        window_z.series_name,
        window_z.day_position,
        {{ residual_mad_to_sigma }}
        * {{ spark_median_of('abs(window_z.z - weekday_z.median_z)', window_days) }} as mad_noise,
        {{ residual_mean_to_sigma }} * avg(abs(window_z.z - weekday_z.median_z)) as mean_noise

    from window_z

    inner join weekday_z
        on
            window_z.series_name = weekday_z.series_name
            and window_z.day_position = weekday_z.day_position
            and window_z.weekday = weekday_z.weekday

    group by window_z.series_name, window_z.day_position

),

scored as (

    select
        positioned.series_name,
        positioned.is_all_countries,
        positioned.revenue_date,
        positioned.revenue,
        positioned.amount,
        transforms.transform_scale,
        weekday_z.median_z as expected_z,
        case
            when noise.mad_noise is not null
                then greatest(
                    case when noise.mad_noise > 0 then noise.mad_noise else noise.mean_noise end,
                    {{ min_noise_scale }}
                )
        end as noise_scale

    from positioned

    left join transforms
        on
            positioned.series_name = transforms.series_name
            and positioned.day_position = transforms.day_position

    left join weekday_z
        on
            positioned.series_name = weekday_z.series_name
            and positioned.day_position = weekday_z.day_position
            and weekday_z.weekday = 0

    left join noise
        on
            positioned.series_name = noise.series_name
            and positioned.day_position = noise.day_position

),

final as (

    select
        cast(series_name as string) as series_name,
        is_all_countries,
        revenue_date,
        cast(revenue as decimal(18, 2)) as revenue,
        {{ double_to_decimal('transform_scale * sinh(expected_z)', 18, 2) }} as expected_revenue,
        transform_scale,
        noise_scale,
        ({{ spark_asinh('amount / transform_scale') }} - expected_z) / noise_scale as anomaly_score,
        coalesce(
            abs(({{ spark_asinh('amount / transform_scale') }} - expected_z) / noise_scale)
            > {{ threshold }},
            false
        ) as is_anomaly

    from scored

)

select * from final
