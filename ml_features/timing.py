"""Time the ml revenue models: pandas (production) against the SQL window-function version.

    python -m ml_features.timing --warehouse data/warehouse.duckdb
    python -m ml_features.timing --synthetic 40x800 --synthetic 400x3650

With ``--warehouse`` the revenue grid of that (build) warehouse is read
(attached read-only, so a built warehouse is never modified); with
``--synthetic CxD`` a random zero-filled grid of C countries (and ``All``) by
D days is made in memory. Each formulation starts from the same grid and ends
with an in-memory table, as a dbt table model does; the best of ``--repeat`` runs is
reported, and the two results are checked to be the same rows. ``--json``
prints the measurements as JSON lines for the benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from ml_features.revenue_features_sql import revenue_features_sql
from ml_features.warehouse import revenue_anomalies_relation, revenue_features_relation

GRID = "int_invoice_lines_aggregated_to_days"


@dataclass(frozen=True)
class Timing:
    """Best wall-clock seconds of one formulation on one input."""

    dataset: str
    daily_rows: int
    formulation: str
    best_seconds: float
    output_rows: int


def _best_of(repeat: int, run: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def make_synthetic(con: duckdb.DuckDBPyConnection, countries: int, days: int, seed: int) -> None:
    """A random revenue grid (same columns as the real one) in schema ``intermediate``."""
    con.execute("create schema if not exists intermediate")
    con.execute(f"select setseed({(seed % 1000) / 1000})")
    con.execute(
        f"""
        create or replace table intermediate.{GRID} as
        with by_country as (
            select
                date '2017-11-01' + d::integer as revenue_date,
                'country_' || c as series_name,
                false as is_all_countries,
                (random() * 30)::bigint as num_invoice_lines,
                (random() * 10)::bigint as num_invoices,
                (random() * 25)::bigint as num_stream_ids,
                (random() * 200)::bigint as num_views,
                (random() * 3000 - 100)::decimal(18, 2) as revenue
            from range({countries}) as cs (c) cross join range({days}) as ds (d)
        )
        select * from by_country
        union all
        select
            revenue_date,
            'All' as series_name,
            true as is_all_countries,
            sum(num_invoice_lines)::bigint,
            sum(num_invoices)::bigint,
            sum(num_stream_ids)::bigint,
            sum(num_views)::bigint,
            sum(revenue)::decimal(18, 2)
        from by_country
        group by revenue_date
        """
    )


def time_formulations(
    con: duckdb.DuckDBPyConnection, schema: str, dataset: str, repeat: int
) -> list[Timing]:
    """Time pandas features, SQL features and pandas anomalies on ``schema``'s revenue grid."""
    grid = con.table(f"{schema}.{GRID}")
    daily_rows = con.execute(f"select count(*) from {schema}.{GRID}").fetchone()[0]

    def python_features() -> None:
        revenue_features_relation(con, grid).create("ml_timing_python")

    def sql_features() -> None:
        con.execute(
            "create or replace temp table ml_timing_sql as "
            + revenue_features_sql(f"{schema}.{GRID}")
        )

    def python_anomalies() -> None:
        revenue_anomalies_relation(con, grid).create("ml_timing_anomalies")

    timings = []
    for name, run, table in (
        ("revenue_features: pandas (production)", python_features, "ml_timing_python"),
        ("revenue_features: SQL window functions", sql_features, "ml_timing_sql"),
        ("revenue_anomalies: numpy", python_anomalies, "ml_timing_anomalies"),
    ):

        def fresh_run(run: Callable[[], None] = run, table: str = table) -> None:
            con.execute(f"drop table if exists {table}")
            run()

        seconds = _best_of(repeat, fresh_run)
        rows = con.execute(f"select count(*) from {table}").fetchone()[0]
        timings.append(Timing(dataset, daily_rows, name, seconds, rows))

    differing = con.execute(
        """
        select count(*) from (
            (select * from ml_timing_python except all select * from ml_timing_sql)
            union all
            (select * from ml_timing_sql except all select * from ml_timing_python)
        )
        """
    ).fetchone()[0]
    if differing:
        raise SystemExit(
            f"error: {dataset}: pandas and SQL revenue features differ in {differing} rows"
        )
    return timings


def _parse_shape(text: str) -> tuple[int, int]:
    try:
        countries, days = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected COUNTRIESxDAYS such as 40x800, got {text!r}"
        ) from None
    if countries < 1 or days < 1:
        raise argparse.ArgumentTypeError(f"both sizes must be positive, got {text!r}")
    return countries, days


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print one line (or JSON object) per measurement."""
    parser = argparse.ArgumentParser(
        prog="python -m ml_features.timing", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--warehouse", type=Path, help="a built warehouse (read-only)")
    parser.add_argument(
        "--synthetic", type=_parse_shape, action="append", default=[], metavar="CxD"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    args = parser.parse_args(argv)
    if args.warehouse is None and not args.synthetic:
        parser.error("give --warehouse PATH and/or --synthetic CxD")

    con = duckdb.connect()
    timings: list[Timing] = []
    if args.warehouse is not None:
        if not args.warehouse.is_file():
            print(f"error: {args.warehouse}: no such warehouse file", file=sys.stderr)
            return 2
        try:
            con.execute(f"attach '{args.warehouse}' as warehouse (read_only)")
        except duckdb.Error as error:
            first_line = str(error).splitlines()[0]
            print(f"error: {args.warehouse}: cannot open ({first_line})", file=sys.stderr)
            return 2
        try:
            timings += time_formulations(
                con, "warehouse.intermediate", str(args.warehouse), args.repeat
            )
        except (duckdb.CatalogException, duckdb.BinderException) as error:
            print(
                f"error: {args.warehouse}: no revenue grid with the current columns"
                f" (a build warehouse, rebuilt by dbt build?): {str(error).splitlines()[0]}",
                file=sys.stderr,
            )
            return 2
    for countries, days in args.synthetic:
        make_synthetic(con, countries, days, args.seed)
        timings += time_formulations(
            con, "intermediate", f"synthetic {countries}x{days}", args.repeat
        )

    for timing in timings:
        if args.json:
            print(json.dumps(asdict(timing)))
        else:
            print(
                f"{timing.dataset:<28} {timing.daily_rows:>9} daily rows  "
                f"{timing.formulation:<40} {timing.best_seconds:8.3f} s  "
                f"{timing.output_rows:>9} rows"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
