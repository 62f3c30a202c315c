"""Read the pipeline's answer, `marts.fct_daily_revenue_by_country`, into the shared shape.

Not timed: it runs after the build, read-only, and writes the same Parquet
columns as the alternatives (see `benchmarks.agreement.OUTPUT_COLUMNS`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# The mart's columns in the alternatives' names. The mart is zero-filled (every
# country on every day of the range); the alternatives only produce days with
# lines, so the zero-filled days (num_invoice_lines = 0) are left out of the comparison.
PIPELINE_QUERY = """
select
    country_name as country,
    revenue_date,
    cast(revenue as double) as revenue,
    num_invoice_lines as invoice_lines
from marts.fct_daily_revenue_by_country
where num_invoice_lines > 0
"""


def export_pipeline_table(warehouse: Path, out: Path) -> None:
    """Copy the mart, in the shared shape, from `warehouse` to the Parquet file `out`."""
    target = "'" + str(out).replace("'", "''") + "'"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"copy ({PIPELINE_QUERY}) to {target} (format parquet)")


def export_spark_table(spark_dir: Path, out: Path) -> None:
    """The Spark build's mart (its Parquet files under `spark_dir`) in the shared shape."""
    files = spark_dir / "warehouse" / "marts.db" / "fct_daily_revenue_by_country" / "*.parquet"
    source = "read_parquet(" + "'" + str(files).replace("'", "''") + "')"
    query = PIPELINE_QUERY.replace("marts.fct_daily_revenue_by_country", source)
    target = "'" + str(out).replace("'", "''") + "'"
    with duckdb.connect() as con:
        con.execute(f"copy ({query}) to {target} (format parquet)")
