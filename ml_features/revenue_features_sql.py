"""The same revenue features as one DuckDB SQL query with window functions.

Kept beside the pandas version for two reasons: pytest checks that both give
the same table, and ``python -m ml_features.timing`` measures both. The
production model ``ml.revenue_features`` uses the Python version (see the
timing module and models/ml/_ml__docs.md for the measurements and why).

The query reads the revenue grid, which already has every day of every series
(the project's one zero-fill), so its ROWS frames are exactly calendar-day
windows; like the Python version it does not fill days itself.
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
    """SQL text computing ``ml.revenue_features`` from the revenue grid (a table or view).

    ``daily_relation`` names a relation with ``series_name``,
    ``is_all_countries``, ``revenue_date``, ``revenue``, ``num_invoices`` and
    ``num_views``, one row per series and day with every day of each series
    present (the grid ``int_invoice_lines_aggregated_to_days``).
    """
    return f"""
with daily as (
    select series_name, is_all_countries, revenue_date, revenue, num_invoices, num_views
    from {daily_relation}
),

positioned as (
    select *, max(revenue_date) over (partition by series_name) as last_date
    from daily
),

windowed as (
    select
        series_name,
        is_all_countries,
        revenue_date as feature_date,
        {_PREVIOUS_COLUMNS},
        coalesce(sum(revenue) over (series rows between 365 preceding and 336 preceding), 0)
            ::decimal(18, 2) as previous_year,
        coalesce(avg(num_invoices) over (series rows between 30 preceding and 1 preceding), 0)
            as recent_invoices,
        coalesce(avg(num_views) over (series rows between 30 preceding and 1 preceding), 0)
            as recent_views,
        case
            when revenue_date + 29 <= last_date
                then sum(revenue) over (series rows between current row and 29 following)
        end::decimal(18, 2) as target_next_30
    from positioned
    window series as (partition by series_name order by revenue_date)
)

select *, ({_HAS_HISTORY}) as has_history
from windowed
"""
