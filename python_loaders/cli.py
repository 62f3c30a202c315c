"""Command line: `generate`, `load`, `run` (the main job), `publish`, and for readers
`sql` (python_loaders.publishing.console) and `charts` (python_loaders.publishing.charts).

Every expected failure (bad arguments, missing or unreadable paths, a locked
warehouse, rejected files, a signal) ends in one line on stderr and a non-zero
exit; a traceback means a bug. Exit codes: 0 done, 1 rejected files or a failed
dbt step (dbt's own code), 2 bad input, 3 warehouse locked, 128 + N stopped by
signal N (130 Ctrl-C, 143 SIGTERM). A leading `~` in any path is expanded.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from python_loaders.common.errors import Interrupted, UserError, report_error
from python_loaders.common.paths import default_analytics, default_warehouse
from python_loaders.common.permissions import make_private


def _path(text: str) -> Path:
    """A path argument with a leading `~` expanded (the shell does not in `--opt=~/x`)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path")
    return Path(text).expanduser()


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {value}")
    return value


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line (no usage dump)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds: {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="python -m python_loaders",
        description="AAVAIL warehouse: generate sample sources, land them in DuckDB, build dbt.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = commands.add_parser("generate", help="write a synthetic source directory")
    gen.add_argument("--out", type=_path, required=True, help="directory to write")
    gen.add_argument("--seed", type=_non_negative_int, default=42)
    gen.add_argument("--customers", type=_non_negative_int, default=None)
    gen.add_argument("--invoice-lines", type=_non_negative_int, default=None)

    load = commands.add_parser("load", help="land a source directory in the warehouse")
    load.add_argument("--source-dir", type=_path, required=True)
    load.add_argument("--warehouse", type=_path, default=None)
    load.add_argument("--max-reject-rate", type=_rate, default=0.01)
    load.add_argument("--lock-timeout", type=_seconds, default=30.0, help="seconds to wait")
    load.add_argument("--quiet", action="store_true", help="no progress bars")
    load.add_argument(
        "--export-parquet",
        type=_path,
        default=None,
        metavar="DIR",
        help="after a clean load, write the raw tables as Parquet datasets to DIR (for Spark)",
    )
    load.add_argument(
        "--prune-missing",
        action="store_true",
        help="remove the rows of files recorded from this source dir that are no longer in it",
    )

    run = commands.add_parser("run", help="the main job: (generate,) load, dbt build, docs")
    run.add_argument("--source-dir", type=_path, default=None)
    run.add_argument("--warehouse", type=_path, default=None)
    run.add_argument("--max-reject-rate", type=_rate, default=0.01)
    run.add_argument(
        "--lock-timeout", type=_seconds, default=30.0, help="seconds to wait, before each step"
    )
    run.add_argument("--analytics", type=_path, default=None, help="the published file")
    run.add_argument(
        "--target",
        choices=("duckdb", "spark"),
        default="duckdb",
        help="spark: load, export raw Parquet, dbt build on Spark (README 'Scale out')",
    )
    run.add_argument("--raw-parquet", type=_path, default=None, help="Parquet export folder")
    run.add_argument("--quiet", action="store_true")

    export = commands.add_parser(
        "export-raw", help="write the warehouse's raw tables as Parquet datasets (for Spark)"
    )
    export.add_argument("--warehouse", type=_path, default=None)
    export.add_argument("--out", type=_path, default=None, help="default data/raw_parquet")
    export.add_argument("--lock-timeout", type=_seconds, default=30.0, help="seconds to wait")

    pub = commands.add_parser("publish", help="publish the last green dbt build for readers")
    pub.add_argument("--warehouse", type=_path, default=None)
    pub.add_argument("--analytics", type=_path, default=None, help="the published file")
    pub.add_argument("--target-dir", type=_path, default=None, help="dbt's target folder")
    pub.add_argument("--lock-timeout", type=_seconds, default=30.0, help="seconds to wait")

    sql = commands.add_parser("sql", help="SQL console, read-only on the published file")
    sql.add_argument("--analytics", type=_path, default=None, help="the published file")

    charts = commands.add_parser("charts", help="charts for analysts, from the published file")
    charts.add_argument("--analytics", type=_path, default=None, help="the published file")
    charts.add_argument("--out", type=_path, default=None, help="folder (default assets/charts)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "generate":
            from python_loaders.generator import generate_sources

            generate_sources(
                args.out, seed=args.seed, customers=args.customers, invoice_lines=args.invoice_lines
            )
            return 0
        if args.command == "publish":
            from python_loaders.job.pipeline import find_project_dir
            from python_loaders.publishing.publish import describe, publish

            publication = publish(
                args.warehouse or default_warehouse(),
                args.analytics or default_analytics(args.warehouse),
                project_dir=find_project_dir(),
                target_dir=args.target_dir,
                lock_timeout=args.lock_timeout,
            )
            print(describe(publication))
            return 0
        if args.command == "sql":
            from python_loaders.publishing.console import run_console

            return run_console(args.analytics or default_analytics())
        if args.command == "charts":
            from python_loaders.job.pipeline import find_project_dir
            from python_loaders.publishing.charts import default_charts_dir, render_charts

            out = args.out or default_charts_dir(find_project_dir())
            written = render_charts(args.analytics or default_analytics(), out)
            print(f"charts: {len(written)} files in {out}")
            return 0
        if args.command == "export-raw":
            from python_loaders.ingestion.raw_parquet import (
                default_parquet_dir,
                export_raw_parquet,
                summary,
            )

            out = args.out or default_parquet_dir()
            exported = export_raw_parquet(
                args.warehouse or default_warehouse(), out, lock_timeout=args.lock_timeout
            )
            print(summary(exported, out))
            return 0
        warehouse = args.warehouse or default_warehouse()
        try:
            make_private(warehouse)  # load, run: owner-only warehouse
        except OSError as error:  # e.g. a path under a file: one line, not a traceback
            raise UserError(f"cannot use warehouse {warehouse}: {error.strerror}") from None
        if args.command == "load":
            from python_loaders.ingestion.loading import load_sources, print_report

            result = load_sources(
                args.source_dir,
                args.warehouse or default_warehouse(),
                max_reject_rate=args.max_reject_rate,
                lock_timeout=args.lock_timeout,
                quiet=args.quiet,
                prune_missing=args.prune_missing,
            )
            print_report(result)
            if result.exit_code == 0 and args.export_parquet is not None:
                from python_loaders.ingestion.raw_parquet import export_raw_parquet, summary

                exported = export_raw_parquet(
                    args.warehouse or default_warehouse(),
                    args.export_parquet,
                    lock_timeout=args.lock_timeout,
                )
                print(summary(exported, args.export_parquet))
            return result.exit_code
        from python_loaders.job.pipeline import run_main_job

        return run_main_job(
            source_dir=args.source_dir,
            warehouse=args.warehouse or default_warehouse(),
            max_reject_rate=args.max_reject_rate,
            quiet=args.quiet,
            lock_timeout=args.lock_timeout,
            analytics=args.analytics or default_analytics(args.warehouse),
            target=None if args.target == "duckdb" else args.target,
            raw_parquet=args.raw_parquet,
        )
    except (UserError, Interrupted) as error:
        return report_error(str(error), error.exit_code)
    except KeyboardInterrupt:
        return report_error("interrupted", 130)
