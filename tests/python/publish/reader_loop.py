"""A reader process for the publish tests: poll the published file, report every snapshot.

usage: python reader_loop.py PUBLISHED_FILE STOP_FILE OUT_JSONL PAUSE_SECONDS [--hold]

Default: connect read-only, read one snapshot, close, repeat (so each loop
sees the newest publication). With --hold: connect once and keep that one
connection open, querying it, until STOP_FILE exists. Each snapshot (or
error) is one JSON line in OUT_JSONL; nothing is asserted here.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """Everything the tests check, read within one connection."""
    invocation, published_at, num_tables = con.execute(
        "select invocation_id, cast(published_at as varchar), num_tables from meta.publication"
    ).fetchall()[0]
    counted = {}
    for schema, table, rows in con.execute(
        "select schema_name, table_name, row_count from meta.publication_tables"
    ).fetchall():
        actual = con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
        counted[f"{schema}.{table}"] = [rows, actual]
    tables = con.execute(
        "select count(*) from duckdb_tables() where schema_name in ('marts', 'ml')"
    ).fetchall()[0][0]
    daily = con.execute(
        "select cast(sum(revenue) as varchar) from marts.fct_daily_revenue"
    ).fetchall()[0][0]
    by_country = con.execute(
        "select cast(sum(revenue) as varchar) from marts.fct_daily_revenue_by_country"
    ).fetchall()[0][0]
    price = con.execute(
        "select cast(sum(price) as varchar) from marts.fct_invoice_lines"
    ).fetchall()[0][0]
    return {
        "invocation_id": invocation,
        "published_at": published_at,
        "num_tables": num_tables,
        "tables": tables,
        "row_counts": counted,
        "daily_revenue": daily,
        "by_country_revenue": by_country,
        "invoice_line_price": price,
    }


def main() -> None:
    published, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    pause = float(sys.argv[4])
    hold = "--hold" in sys.argv[5:]
    con = None
    with out.open("a", encoding="utf-8") as report:
        while not stop.exists():
            record: dict
            if not published.exists():
                record = {"absent": True}
            else:
                try:
                    if con is None:
                        con = duckdb.connect(str(published), read_only=True)
                    record = snapshot(con)
                except Exception as error:  # every failure is a finding, reported as data
                    record = {"error": f"{type(error).__name__}: {error}"}
                if not hold and con is not None:
                    con.close()
                    con = None
            record["at"] = time.time()
            report.write(json.dumps(record) + "\n")
            report.flush()
            time.sleep(pause)
    if con is not None:
        con.close()


if __name__ == "__main__":
    main()
