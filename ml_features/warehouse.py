"""Between DuckDB relations and the pure feature functions: fetch, compute, hand back.

The dbt Python models in models/ml call these with ``dbt.ref(...)`` relations
and return what they return; ``ml_features.timing`` calls the same functions,
so the timings measure the production path.

Only the small daily aggregates are fetched (one row per country and day),
never invoice lines. Results go back to DuckDB as an Arrow table wrapped in a
relation that casts to the documented column types (Arrow columns built from
numpy arrays without nulls are not copied).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from ml_features.revenue_anomalies import score_revenue_anomalies
from ml_features.revenue_features import engineer_revenue_features

ALL_COUNTRIES = "All"
DAILY_MEASURES = "revenue_date, revenue, unique_invoices, total_views"

REVENUE_FEATURES_TYPES = """
    country_name::varchar as country_name,
    feature_date::date as feature_date,
    previous_7::decimal(18, 2) as previous_7,
    previous_14::decimal(18, 2) as previous_14,
    previous_28::decimal(18, 2) as previous_28,
    previous_70::decimal(18, 2) as previous_70,
    previous_year::decimal(18, 2) as previous_year,
    recent_invoices::double as recent_invoices,
    recent_views::double as recent_views,
    target_next_30::decimal(18, 2) as target_next_30,
    has_history::boolean as has_history
"""

REVENUE_ANOMALIES_TYPES = """
    country_name::varchar as country_name,
    revenue_date::date as revenue_date,
    revenue::decimal(18, 2) as revenue,
    expected_revenue::decimal(18, 2) as expected_revenue,
    transform_scale::double as transform_scale,
    noise_scale::double as noise_scale,
    anomaly_score::double as anomaly_score,
    is_anomaly::boolean as is_anomaly
"""


def fetch_daily_series(
    by_country: duckdb.DuckDBPyRelation, all_countries: duckdb.DuckDBPyRelation
) -> pd.DataFrame:
    """The daily series of every country plus the all-countries series as ``All``.

    ``by_country`` is marts.fct_daily_revenue_by_country, ``all_countries``
    marts.fct_daily_revenue (same measures, no country).
    """
    countries = by_country.project(f"country_name, {DAILY_MEASURES}")
    total = all_countries.project(f"'{ALL_COUNTRIES}' as country_name, {DAILY_MEASURES}")
    return countries.union(total).df()


def _to_relation(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, select_list: str
) -> duckdb.DuckDBPyRelation:
    """Hand a result frame back to DuckDB as a relation with the documented types."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return con.from_arrow(table).project(select_list)


def revenue_features_relation(
    con: duckdb.DuckDBPyConnection,
    by_country: duckdb.DuckDBPyRelation,
    all_countries: duckdb.DuckDBPyRelation,
) -> duckdb.DuckDBPyRelation:
    """ml.revenue_features from the two daily marts, as a DuckDB relation."""
    features = engineer_revenue_features(fetch_daily_series(by_country, all_countries))
    return _to_relation(con, features, REVENUE_FEATURES_TYPES)


def revenue_anomalies_relation(
    con: duckdb.DuckDBPyConnection,
    by_country: duckdb.DuckDBPyRelation,
    all_countries: duckdb.DuckDBPyRelation,
) -> duckdb.DuckDBPyRelation:
    """ml.revenue_anomalies from the two daily marts, as a DuckDB relation."""
    scores = score_revenue_anomalies(fetch_daily_series(by_country, all_countries))
    return _to_relation(con, scores, REVENUE_ANOMALIES_TYPES)
