"""`python -m benchmarks.run`: the reproducible benchmark (`make bench`).

At each size of generated data it runs every step several times, each as its
own process (Spark local mode and the main job only in the first `--spark-runs`
and `--job-runs` runs of a size), and writes the medians to benchmarks/results/
(results.json, results.csv, time_vs_size.png) and the generated tables into
benchmarks/README.md and README.md. It fails loudly (exit 1, one line) if the
pipeline, pandas, the floor query and Spark do not agree on the daily revenue
table.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.agreement import Disagreement
from benchmarks.machine import machine_facts
from benchmarks.scenario import Run, RunSettings, Tools
from benchmarks.steps import StepFailed

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (100_000, 1_000_000, 2_000_000, 10_000_000)
LARGE_SIZE = 10_000_000


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        message = f"not a comma-separated list of numbers: {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return sizes


def _whole(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {minimum} or more: {value}")
    return value


def _positive(text: str) -> int:
    return _whole(text, 1)


def _non_negative(text: str) -> int:
    return _whole(text, 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="invoice lines per size, comma separated (default 100000,1000000,2000000,10000000)",
    )
    parser.add_argument("--runs", type=_positive, default=3, help="runs per size (default 3)")
    parser.add_argument(
        "--large-runs",
        type=_positive,
        default=None,
        help=f"runs at sizes of {LARGE_SIZE:,} lines and more (default: --runs)",
    )
    parser.add_argument(
        "--spark-runs",
        type=_non_negative,
        default=1,
        help="runs per size that also build on Spark local mode (default 1; 0: no Spark)",
    )
    parser.add_argument(
        "--job-runs",
        type=_non_negative,
        default=1,
        help="runs per size that also time `python_loaders run` (a new month, nothing new)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--customers", type=_positive, default=1_000)
    parser.add_argument(
        "--work-dir", type=Path, default=PROJECT_DIR / "data" / "bench", help="scratch (ignored)"
    )
    parser.add_argument("--results-dir", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    parser.add_argument(
        "--readme",
        type=Path,
        default=PROJECT_DIR / "benchmarks" / "README.md",
        help="README whose results section is rewritten",
    )
    parser.add_argument(
        "--project-readme",
        type=Path,
        default=PROJECT_DIR / "README.md",
        help="README whose speed and engine tables are rewritten",
    )
    parser.add_argument("--no-readme", action="store_true", help="leave both READMEs alone")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the runs of other sizes already in results.json (e.g. to add 10M later)",
    )
    parser.add_argument("--country-map", type=Path, default=None, help="default: the seed")
    parser.add_argument("--keep-files", action="store_true", help="keep sources and warehouses")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: rewrite the plot, CSV and README from results.json",
    )
    parser.add_argument(
        "--dbt-memory-limit",
        default=None,
        help="DuckDB memory_limit for dbt (AAVAIL_MEMORY_LIMIT, e.g. 2GB); default: the profile's",
    )
    return parser


def find_country_map(project_dir: Path) -> Path:
    """The project's country-spelling seed (seeds/*countr*.csv)."""
    candidates = sorted((project_dir / "seeds").glob("*countr*.csv"))
    if not candidates:
        raise StepFailed(f"no country seed under {project_dir / 'seeds'} (seeds/*countr*.csv)")
    return candidates[0]


def _previous(
    results_file: Path, replaced_sizes: set[int]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Runs of other sizes, and the commands, already in results.json (for --merge)."""
    if not results_file.exists():
        return [], []
    previous = json.loads(results_file.read_text())
    runs = [run for run in previous.get("runs", []) if run["invoice_lines"] not in replaced_sizes]
    return runs, list(previous.get("commands", []))


def benchmark(args: argparse.Namespace, argv: list[str]) -> dict[str, Any]:
    """Run every size and write the results; return the results document."""
    tools = Tools(
        project_dir=PROJECT_DIR,
        python=Path(sys.executable),
        dbt=Path(sys.executable).with_name("dbt"),
    )
    country_map = (args.country_map or find_country_map(PROJECT_DIR)).resolve()
    results_file = args.results_dir / "results.json"
    runs, commands = _previous(results_file, set(args.sizes)) if args.merge else ([], [])
    command = " ".join(["python -m benchmarks.run", *(shlex.quote(a) for a in argv)])
    payload: dict[str, Any] = {
        "command": command,
        "commands": [*commands, command],
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(PROJECT_DIR),
        "settings": {
            "seed": args.seed,
            "customers": args.customers,
            "sizes": args.sizes,
            "dbt_memory_limit": args.dbt_memory_limit or "profile default (target dev)",
            "spark_runs": args.spark_runs,
            "job_runs": args.job_runs,
        },
        "runs": runs,
    }
    for size in args.sizes:
        count = args.large_runs if (size >= LARGE_SIZE and args.large_runs) else args.runs
        for index in range(1, count + 1):
            began = time.perf_counter()
            run = Run(
                tools,
                RunSettings(
                    invoice_lines=size,
                    customers=args.customers,
                    seed=args.seed,
                    run_dir=(args.work_dir / f"{size}" / f"run{index}").resolve(),
                    country_map=country_map,
                    keep_files=args.keep_files,
                    dbt_memory_limit=args.dbt_memory_limit,
                    spark=index <= args.spark_runs,
                    job=index <= args.job_runs,
                ),
            )
            figures = run.execute()
            runs.append(
                {
                    "invoice_lines": size,
                    "run": index,
                    "figures": figures,
                    "slowest_nodes": run.slowest_nodes,
                }
            )
            print(
                f"{size:>12,} lines, run {index}/{count}: pipeline {figures['pipeline_s']:.1f}s, "
                f"pandas {figures['pandas_s']:.1f}s, floor {figures['floor_s']:.1f}s "
                f"({time.perf_counter() - began:.0f}s in all)",
                file=sys.stderr,
            )
            payload["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            report.write_results(args.results_dir, payload, report.medians_by_size(runs))
    medians = report.medians_by_size(runs)
    if not args.no_readme:
        _write_readmes(args, payload, medians)
    payload["medians"] = medians
    return payload


def _write_readmes(args: argparse.Namespace, payload: dict[str, Any], medians: Any) -> None:
    baseline = report.read_baseline(args.results_dir)
    report.write_sections(args.readme, report.benchmark_sections(payload, medians, baseline))
    if args.project_readme.exists():
        sections = report.project_sections(medians, baseline)
        report.write_sections(args.project_readme, sections, append=False)


def rewrite_report(args: argparse.Namespace) -> None:
    """Rewrite results.csv, the plot and the README table from an existing results.json."""
    results_file = args.results_dir / "results.json"
    if not results_file.exists():
        raise StepFailed(f"{results_file}: no results to report (run the benchmark first)")
    payload = json.loads(results_file.read_text())
    payload.pop("medians", None)
    medians = report.medians_by_size(payload["runs"])
    report.write_results(args.results_dir, payload, medians)
    if not args.no_readme:
        _write_readmes(args, payload, medians)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if args.report_only:
            rewrite_report(args)
            return 0
        benchmark(args, argv)
    except Disagreement as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except StepFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
