"""Small helpers for the SQL the loader sends to DuckDB (no knowledge of sources or specs)."""

from __future__ import annotations

import duckdb


def run_sql(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[object] | dict[str, object] | None = None,
) -> list[tuple[object, ...]]:
    """Execute one statement and fetch its result (DuckDB 2 wants results consumed)."""
    return con.execute(sql, params if params is not None else []).fetchall()


def first_row(rows: list[tuple[object, ...]]) -> tuple[object, ...] | None:
    """The first row of a fetched result, or None."""
    return rows[0] if rows else None


def quote_ident(name: str) -> str:
    """A SQL identifier for any name: double-quoted, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'
