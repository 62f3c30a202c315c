"""The Spark SQL twins of the Python ml models use the Python modules' own constants.

models/ml/spark/*.sql restate the parameters of ml_features (windows,
thresholds, scales) as Jinja `set`s; this check fails when one side changes
without the other. Their rows are compared with the Python models' in
test_spark_reference_equality.py and test_spark_incremental_equality.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ml_features import revenue_anomalies, revenue_features

TWINS = Path(__file__).resolve().parents[3] / "models" / "ml" / "spark"
SET = re.compile(r"\{%-?\s*set\s+(\w+)\s*=\s*(.+?)\s*-?%\}")


def _sets(model: str) -> dict[str, object]:
    text = (TWINS / f"{model}.sql").read_text()
    values: dict[str, object] = {}
    for name, expression in SET.findall(text):
        if name == "window_days":  # `7 * weeks`
            values[name] = 7 * int(values["weeks"])  # type: ignore[call-overload]
        else:
            values[name] = ast.literal_eval(expression)
    return values


def test_revenue_features_twin_uses_the_python_constants():
    sets = _sets("revenue_features")
    assert sets == {
        "previous_windows": list(revenue_features.PREVIOUS_WINDOWS),
        "year_lag_days": revenue_features.YEAR_LAG_DAYS,
        "target_days": revenue_features.TARGET_DAYS,
        "recent_days": revenue_features.RECENT_DAYS,
    }


def test_revenue_anomalies_twin_uses_the_python_constants():
    sets = _sets("revenue_anomalies")
    assert sets == {
        "weeks": revenue_anomalies.WEEKS,
        "window_days": revenue_anomalies.WINDOW_DAYS,
        "threshold": revenue_anomalies.THRESHOLD,
        "residual_mad_to_sigma": revenue_anomalies.RESIDUAL_MAD_TO_SIGMA,
        "residual_mean_to_sigma": revenue_anomalies.RESIDUAL_MEAN_TO_SIGMA,
        "min_transform_scale": revenue_anomalies.MIN_TRANSFORM_SCALE,
        "transform_share": revenue_anomalies.TRANSFORM_SHARE,
        "min_noise_scale": revenue_anomalies.MIN_NOISE_SCALE,
    }
