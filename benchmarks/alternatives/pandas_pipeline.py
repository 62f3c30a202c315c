"""The pandas alternative: daily revenue by country the way a data scientist would write it.

Read each monthly JSON file, harmonise the drifting field names, keep the
lines the warehouse keeps (same required fields), drop exact duplicates, map
country spellings to the canonical names of the project's seed, group by
country and day. Written for clarity and reasonable speed (vectorised, no
Python loop over rows), not tuned against the benchmark.

Run as its own process: `python -m benchmarks.alternatives.pandas_pipeline
--invoice-dir DIR --country-map CSV --out FILE.parquet`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

# Drifting field names, matched case-insensitively, mapped to the warehouse's names.
ALIASES = {"total_price": "price", "streamid": "stream_id", "timesviewed": "times_viewed"}
LINE_COLUMNS = [
    "country",
    "customer_id",
    "invoice",
    "price",
    "stream_id",
    "times_viewed",
    "year",
    "month",
    "day",
]


def read_invoice_file(path: Path) -> pd.DataFrame:
    """One JSON array of invoice lines, with harmonised lower-case column names."""
    frame = pd.read_json(path, orient="records", dtype=False)
    frame.columns = [ALIASES.get(str(name).lower(), str(name).lower()) for name in frame.columns]
    return frame.reindex(columns=LINE_COLUMNS)


def read_country_map(path: Path | None) -> dict[str, str]:
    """Lower-case source spelling -> canonical country name, from the project's seed CSV."""
    if path is None:
        return {}
    seed = pd.read_csv(path, dtype=str, keep_default_na=False)
    spelling, canonical = seed.columns[0], seed.columns[1]
    return dict(zip(seed[spelling].str.strip().str.lower(), seed[canonical], strict=True))


def daily_revenue_by_country(invoice_dir: Path, country_map: dict[str, str]) -> pd.DataFrame:
    """country, revenue_date, revenue, invoice_lines: one row per country and day with sales."""
    files = sorted(invoice_dir.rglob("*.json"))
    lines = pd.concat([read_invoice_file(path) for path in files], ignore_index=True)

    lines["price"] = pd.to_numeric(lines["price"], errors="coerce")
    day_text = lines["year"].astype(str) + "-" + lines["month"].astype(str) + "-" + lines["day"]
    lines["revenue_date"] = pd.to_datetime(
        day_text,
        format="%Y-%m-%d",
        errors="coerce",
    )
    required = ["invoice", "price", "revenue_date", "country", "stream_id"]
    lines = lines.dropna(subset=required)
    lines = lines.drop_duplicates(subset=LINE_COLUMNS)

    country = lines["country"].str.strip()
    lines["country"] = country.str.lower().map(country_map).fillna(country)
    daily = (
        lines.groupby(["country", "revenue_date"], as_index=False)
        .agg(revenue=("price", "sum"), invoice_lines=("price", "size"))
        .sort_values(["country", "revenue_date"], ignore_index=True)
    )
    daily["revenue_date"] = daily["revenue_date"].dt.date
    return daily


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoice-dir", type=Path, required=True)
    parser.add_argument("--country-map", type=Path, default=None)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    daily = daily_revenue_by_country(args.invoice_dir, read_country_map(args.country_map))
    daily.to_parquet(args.out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
