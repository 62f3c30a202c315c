"""DuckDB's bare `read_json` of the invoice files into a table: the ceiling for landing.

No validation, no audit trail, no alias mapping beyond `union_by_name`: just the
engine parsing the same files into a table of a database file, which is the
fastest any loader built on it can land them.

`python -m benchmarks.alternatives.read_json_ceiling --invoice-dir DIR --database FILE.duckdb`
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb


def land_with_read_json(invoice_dir: Path, database: Path) -> int:
    """Create table `invoice_lines` from every `*.json` under `invoice_dir`; return its rows."""
    pattern = str(invoice_dir / "**" / "*.json").replace("'", "''")
    with duckdb.connect(str(database)) as con:
        con.execute(
            "create or replace table invoice_lines as "
            f"select * from read_json('{pattern}', format = 'array', union_by_name = true)"
        )
        row = con.execute("select count(*) from invoice_lines").fetchone()
    return int(row[0]) if row else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoice-dir", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    args = parser.parse_args(argv)
    print(land_with_read_json(args.invoice_dir, args.database))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
