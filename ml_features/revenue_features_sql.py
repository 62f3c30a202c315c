"""The same revenue features as one DuckDB SQL query with window functions.

Kept beside the pandas version for two reasons: pytest checks that both give
the same table, and ``python -m ml_features.timing`` measures both. The
production model ``ml.revenue_features`` uses the Python version (see the
timing module and models/ml/_ml__docs.md for the measurements and why).

The query densifies each series over its own first..last date (so a missing
day is a zero day, as in the Python version) and then uses ROWS frames, which
on a dense daily series are exactly calendar-day windows.
"""

from __future__ import annotations

from ml_features.revenue_features import PREVIOUS_WINDOWS

_PREVIOUS_COLUMNS = ",\n        ".join(
    f"coalesce(sum(revenue) over (series rows between {days} preceding and 1 preceding), 0)"
    f"::decimal(18, 2) as previous_{days}"
    for days in PREVIOUS_WINDOWS
)
_HAS_HISTORY = " or ".join(
    f"{name} <> 0"
    for name in (
        *(f"previous_{days}" for days in PREVIOUS_WINDOWS),
        "previous_year",
        "recent_invoices",
        "recent_views",
    )
)


def revenue_features_sql(daily_relation: str) -> str:
    """SQL text computing ``ml.revenue_features`` from a daily table or view.

    ``daily_relation`` names a relation with ``country_name``, ``revenue_date``,
    ``revenue``, ``unique_invoices`` and ``total_views``, one row per series and day.
    """
    return f"""
with daily as (
    select country_name, revenue_date, revenue, unique_invoices, total_views
    from {daily_relation}
),

series_ranges as (
    select country_name, min(revenue_date) as first_date, max(revenue_date) as last_date
    from daily
    group by country_name
),

calendar as (
    select
        country_name,
        last_date,
        unnest(generate_series(first_date, last_date, interval 1 day))::date as feature_date
    from series_ranges
),

dense as (
    select
        calendar.country_name,
        calendar.feature_date,
        calendar.last_date,
        coalesce(daily.revenue, 0) as revenue,
        coalesce(daily.unique_invoices, 0) as unique_invoices,
        coalesce(daily.total_views, 0) as total_views
    from calendar
    left join daily
        on calendar.country_name = daily.country_name
        and calendar.feature_date = daily.revenue_date
),

windowed as (
    select
        country_name,
        feature_date,
        {_PREVIOUS_COLUMNS},
        coalesce(sum(revenue) over (series rows between 365 preceding and 336 preceding), 0)
            ::decimal(18, 2) as previous_year,
        coalesce(avg(unique_invoices) over (series rows between 30 preceding and 1 preceding), 0)
            as recent_invoices,
        coalesce(avg(total_views) over (series rows between 30 preceding and 1 preceding), 0)
            as recent_views,
        case
            when feature_date + 29 <= last_date
                then sum(revenue) over (series rows between current row and 29 following)
        end::decimal(18, 2) as target_next_30
    from dense
    window series as (partition by country_name order by feature_date)
)

select *, ({_HAS_HISTORY}) as has_history
from windowed
"""
