"""Command line: `generate`, `load` and `run` (the main job).

Every expected failure (bad arguments, missing or unreadable paths, a locked
warehouse, rejected files) ends in one line on stderr and a non-zero exit; a
traceback means a bug.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from python_loaders.errors import UserError

DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_SAMPLE_DIR = Path("data/sample_sources")


def default_warehouse() -> Path:
    """The warehouse file: $AAVAIL_WAREHOUSE, else data/warehouse.duckdb."""
    return Path(os.environ.get("AAVAIL_WAREHOUSE") or DEFAULT_WAREHOUSE)


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
    gen.add_argument("--out", type=Path, required=True, help="directory to write")
    gen.add_argument("--seed", type=_non_negative_int, default=42)
    gen.add_argument("--customers", type=_non_negative_int, default=None)
    gen.add_argument("--invoice-lines", type=_non_negative_int, default=None)

    load = commands.add_parser("load", help="land a source directory in the warehouse")
    load.add_argument("--source-dir", type=Path, required=True)
    load.add_argument("--warehouse", type=Path, default=None)
    load.add_argument("--max-reject-rate", type=_rate, default=0.01)
    load.add_argument("--lock-timeout", type=_seconds, default=30.0, help="seconds to wait")
    load.add_argument("--quiet", action="store_true", help="no progress bars")

    run = commands.add_parser("run", help="the main job: (generate,) load, dbt build, docs")
    run.add_argument("--source-dir", type=Path, default=None)
    run.add_argument("--warehouse", type=Path, default=None)
    run.add_argument("--max-reject-rate", type=_rate, default=0.01)
    run.add_argument("--quiet", action="store_true")
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
        if args.command == "load":
            from python_loaders.loading import load_sources

            result = load_sources(
                args.source_dir,
                args.warehouse or default_warehouse(),
                max_reject_rate=args.max_reject_rate,
                lock_timeout=args.lock_timeout,
                quiet=args.quiet,
            )
            return result.exit_code
        from python_loaders.pipeline import run_main_job

        return run_main_job(
            source_dir=args.source_dir,
            warehouse=args.warehouse or default_warehouse(),
            max_reject_rate=args.max_reject_rate,
            quiet=args.quiet,
        )
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
