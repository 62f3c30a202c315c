"""Feature logic behind the ``ml`` schema, as plain typed functions.

- ``engineer_revenue_features``: the course capstone's revenue-forecasting
  features and 30-day target, per series and day (``ml.revenue_features``);
- ``score_revenue_anomalies``: a robust, weekday-aware anomaly score of daily
  revenue (``ml.revenue_anomalies``);
- ``ml_features.warehouse``: fetch the daily marts, call those, hand the result
  back to DuckDB (what the dbt Python models in models/ml call);
- ``python -m ml_features.timing``: times the pandas and the SQL
  window-function formulations of the revenue features.

Notebooks can call the same functions on any DataFrame with one row per
series and day (``country_name``, ``revenue_date``, ``revenue``,
``unique_invoices``, ``total_views``).
"""

from ml_features.revenue_anomalies import score_revenue_anomalies
from ml_features.revenue_features import engineer_revenue_features

__all__ = ["engineer_revenue_features", "score_revenue_anomalies"]
