"""Run the floor query (`floor.sql`) as its own process and write its table to Parquet.

`python -m benchmarks.alternatives.floor --invoice-dir DIR --country-map CSV --out FILE.parquet`
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

SQL_FILE = Path(__file__).with_name("floor.sql")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def floor_sql(invoice_dir: Path, country_map: Path) -> str:
    """The floor query with its file paths filled in."""
    template = SQL_FILE.read_text()
    return template.format(
        invoice_glob=_literal(str(invoice_dir / "**" / "*.json")),
        country_map=_literal(str(country_map)),
    )


def run_floor(invoice_dir: Path, country_map: Path, out: Path) -> None:
    """Execute the floor query in an in-memory DuckDB and copy its result to `out`."""
    with duckdb.connect() as con:
        query = floor_sql(invoice_dir, country_map)
        con.execute(f"copy ({query}) to {_literal(str(out))} (format parquet)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoice-dir", type=Path, required=True)
    parser.add_argument("--country-map", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    run_floor(args.invoice_dir, args.country_map, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
