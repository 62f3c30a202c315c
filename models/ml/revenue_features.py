"""ml.revenue_features: the course capstone's revenue-forecasting features.

The logic is in ml_features.revenue_features (typed, tested by pytest); this
model only hands it the two small daily marts and returns a DuckDB relation.
"""

from ml_features.warehouse import revenue_features_relation


def model(dbt, session):
    dbt.config(materialized="table")
    return revenue_features_relation(
        session,
        dbt.ref("fct_daily_revenue_by_country"),
        dbt.ref("fct_daily_revenue"),
    )
