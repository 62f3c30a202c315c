"""Feature logic behind the ``ml`` schema, as plain typed functions.

- ``engineer_revenue_features``: the course capstone's revenue-forecasting
  features and 30-day target, per series and day (``ml.revenue_features``);
- ``score_revenue_anomalies``: a robust, weekday-aware anomaly score of daily
  revenue (``ml.revenue_anomalies``);
- ``ml_features.warehouse``: fetch the revenue grid
  (``int_invoice_lines_aggregated_to_days``), call those, hand the result back
  to DuckDB (what the dbt Python models in models/ml call);
- ``python -m ml_features.timing``: times the pandas and the SQL
  window-function formulations of the revenue features.

Notebooks can call the same functions on any DataFrame with one row per
series and day, every day present (``series_name``, ``revenue_date``,
``revenue``, ``num_invoices``, ``num_views``), such as the revenue grid: the
functions check that the input is dense and never fill missing days
themselves (the grid is the project's one zero-fill).
"""

from ml_features.revenue_anomalies import score_revenue_anomalies
from ml_features.revenue_features import engineer_revenue_features

__all__ = ["engineer_revenue_features", "score_revenue_anomalies"]
