"""ml.revenue_features: the course capstone's revenue-forecasting features.

The logic is in ml_features.revenue_features (typed, tested by pytest); this
model only hands it the revenue grid (every series and day, zero-filled) and
returns a DuckDB relation.
"""

from ml_features.warehouse import revenue_features_relation


def model(dbt, session):
    dbt.config(materialized="table")
    return revenue_features_relation(session, dbt.ref("int_invoice_lines_aggregated_to_days"))
