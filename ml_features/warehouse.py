"""Between DuckDB relations and the pure feature functions: fetch, compute, hand back.

The dbt Python models in models/ml call these with ``dbt.ref(...)`` of the
revenue grid (``int_invoice_lines_aggregated_to_days``) and return what they
return; ``ml_features.timing`` calls the same functions, so the timings
measure the production path.

Only the small daily grid is fetched (one row per series and day, already
zero-filled: it is the project's one fill), never invoice lines. A series'
``is_all_countries`` flag comes from the grid with it. Results go back to
DuckDB as an Arrow table wrapped in a relation that casts to the documented
column types (Arrow columns built from numpy arrays without nulls are not
copied).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from ml_features.daily_series import SERIES_COLUMN, DailySeriesError
from ml_features.revenue_anomalies import score_revenue_anomalies
from ml_features.revenue_features import engineer_revenue_features

ALL_SERIES_FLAG = "is_all_countries"
GRID_COLUMNS = f"{SERIES_COLUMN}, {ALL_SERIES_FLAG}, revenue_date, revenue, num_invoices, num_views"

REVENUE_FEATURES_TYPES = """
    series_name::varchar as series_name,
    is_all_countries::boolean as is_all_countries,
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
    series_name::varchar as series_name,
    is_all_countries::boolean as is_all_countries,
    revenue_date::date as revenue_date,
    revenue::decimal(18, 2) as revenue,
    expected_revenue::decimal(18, 2) as expected_revenue,
    transform_scale::double as transform_scale,
    noise_scale::double as noise_scale,
    anomaly_score::double as anomaly_score,
    is_anomaly::boolean as is_anomaly
"""


def fetch_daily_series(revenue_grid: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """The grid's series (each country and ``All``), one row per series and day."""
    return revenue_grid.project(GRID_COLUMNS).df()


def with_series_flag(result: pd.DataFrame, daily: pd.DataFrame) -> pd.DataFrame:
    """``result`` with each row's ``is_all_countries``, taken from its series in ``daily``."""
    flags = daily.drop_duplicates(SERIES_COLUMN).set_index(SERIES_COLUMN)[ALL_SERIES_FLAG]
    if len(flags) != daily[[SERIES_COLUMN, ALL_SERIES_FLAG]].drop_duplicates().shape[0]:
        raise DailySeriesError(f"daily input: {ALL_SERIES_FLAG} varies within a series")
    names = result[SERIES_COLUMN].astype(str)
    flagged = result.copy()
    flagged.insert(1, ALL_SERIES_FLAG, flags.reindex(names).to_numpy(dtype=bool))
    return flagged


def _to_relation(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, select_list: str
) -> duckdb.DuckDBPyRelation:
    """Hand a result frame back to DuckDB as a relation with the documented types."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return con.from_arrow(table).project(select_list)


def revenue_features_relation(
    con: duckdb.DuckDBPyConnection, revenue_grid: duckdb.DuckDBPyRelation
) -> duckdb.DuckDBPyRelation:
    """ml.revenue_features from the revenue grid, as a DuckDB relation."""
    daily = fetch_daily_series(revenue_grid)
    features = with_series_flag(engineer_revenue_features(daily), daily)
    return _to_relation(con, features, REVENUE_FEATURES_TYPES)


def revenue_anomalies_relation(
    con: duckdb.DuckDBPyConnection, revenue_grid: duckdb.DuckDBPyRelation
) -> duckdb.DuckDBPyRelation:
    """ml.revenue_anomalies from the revenue grid, as a DuckDB relation."""
    daily = fetch_daily_series(revenue_grid)
    scores = with_series_flag(score_revenue_anomalies(daily), daily)
    return _to_relation(con, scores, REVENUE_ANOMALIES_TYPES)
