"""Compare the marts and ml tables of a DuckDB build with those of a Spark build, cell by cell.

Spark's managed tables are Parquet files under the Spark warehouse folder
(<spark dir>/warehouse/<schema>.db/<table>/, partition folders such as
invoice_month=2019-01-01/ included); DuckDB reads them directly, so the
comparison needs no second Spark start. Column types are compared through
the Parquet types Spark wrote, as DuckDB reads them (SPARK_TO_DUCKDB_TYPES):
each Spark SQL type maps to exactly one DuckDB type, and the DuckDB build
must have that type.

Values: every column but DOUBLE must be equal exactly (DECIMAL to the cent,
text byte for byte, NULL where NULL); DOUBLE columns to 1e-9 relative (the
anomaly scores go through asinh/sinh, whose last bits differ between numpy
and Java). Rows are matched by sorting on every non-DOUBLE column.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

SCHEMAS: tuple[str, ...] = ("marts", "ml")
# Spark SQL type (as dbt's contracts and the Spark catalog name it) -> DuckDB type read
# from the Parquet files Spark writes -> the DuckDB build's own type.
SPARK_TO_DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "decimal(18,2)": "DECIMAL(18,2)",
    "decimal(18,3)": "DECIMAL(18,3)",
    "timestamp": "TIMESTAMP",
}
# The same instant: Spark's TIMESTAMP is UTC-based (session time zone UTC), DuckDB's the
# naive UTC wall clock the loaders write.
EQUIVALENT_TYPES: dict[str, str] = {"TIMESTAMP WITH TIME ZONE": "TIMESTAMP"}
RELATIVE_TOLERANCE = 1e-9


def spark_table_glob(spark_dir: Path, schema: str, table: str) -> str:
    return str(spark_dir / "warehouse" / f"{schema}.db" / table / "**" / "*.parquet")


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"describe select * from {relation}").fetchall()}


def _same_value(left: object, right: object, is_double: bool) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if is_double:
        a, b = float(left), float(right)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)
    return left == right


def compare_builds(duckdb_path: Path, spark_dir: Path) -> tuple[list[str], list[str]]:
    """(tables compared, differences): every relation of `SCHEMAS` in both builds, cell by cell.

    On DuckDB a mart may be a view (fct_invoice_lines: a view over the staging table,
    which holds the lines); Spark builds every mart as a table.
    """
    problems: list[str] = []
    compared: list[str] = []
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in ({', '.join(repr(s) for s in SCHEMAS)})"
            " and table_type in ('BASE TABLE', 'VIEW') order by 1, 2"
        ).fetchall()
        spark_tables = {
            (path.parent.name.removesuffix(".db"), path.name)
            for schema in SCHEMAS
            for path in (spark_dir / "warehouse").glob(f"{schema}.db/*")
            if path.is_dir()
        }
        missing = sorted(set(tables) - spark_tables)
        extra = sorted(spark_tables - set(tables))
        if missing or extra:
            problems.append(f"tables only in DuckDB: {missing}; only in Spark: {extra}")
        for schema, table in tables:
            if (schema, table) not in spark_tables:
                continue
            compared.append(f"{schema}.{table}")
            problems += _compare_table(con, spark_dir, schema, table)
    return compared, problems


def _compare_table(
    con: duckdb.DuckDBPyConnection, spark_dir: Path, schema: str, table: str
) -> list[str]:
    name = f"{schema}.{table}"
    duck_relation = f'"{schema}"."{table}"'
    spark_relation = (
        f"read_parquet('{spark_table_glob(spark_dir, schema, table)}', hive_partitioning = true)"
    )
    duck_types = _columns(con, duck_relation)
    spark_types = _columns(con, spark_relation)
    if set(duck_types) != set(spark_types):
        return [f"{name}: columns differ: {sorted(duck_types)} vs {sorted(spark_types)}"]
    problems = [
        f"{name}.{column}: DuckDB {duck_types[column]}, Spark {spark_types[column]}"
        for column in duck_types
        if EQUIVALENT_TYPES.get(spark_types[column], spark_types[column]) != duck_types[column]
    ]
    columns = list(duck_types)
    doubles = {column for column in columns if duck_types[column] == "DOUBLE"}
    order = ", ".join(f'"{c}"' for c in columns if c not in doubles) or "1"
    select = ", ".join(f'"{c}"' for c in columns)
    duck_rows = con.execute(f"select {select} from {duck_relation} order by {order}").fetchall()
    spark_rows = con.execute(f"select {select} from {spark_relation} order by {order}").fetchall()
    if len(duck_rows) != len(spark_rows):
        return [*problems, f"{name}: {len(duck_rows)} rows in DuckDB, {len(spark_rows)} in Spark"]
    mismatches = 0
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        for column, left, right in zip(columns, duck_row, spark_row, strict=True):
            if not _same_value(left, right, column in doubles):
                mismatches += 1
                if mismatches <= 3:
                    problems.append(f"{name}.{column}: DuckDB {left!r}, Spark {right!r}")
    if mismatches > 3:
        problems.append(f"{name}: {mismatches} differing cells in all")
    return problems
