"""Spark local mode beside DuckDB: the same dbt project, one machine, two engines.

    .venv/bin/python -m benchmarks.spark_engines --sizes 100000,1000000

Not part of `make bench` (a Spark build takes minutes here) and not of `make
test`. Per size (1,000 customers, seed 42): generate the sources, load them
into a fresh DuckDB warehouse, then time, each step as its own process
(benchmarks.steps.run_measured: wall time, peak memory):

- `duckdb build`: `dbt build --exclude-resource-type test unit_test` on the
  DuckDB warehouse (seeds and every model, snapshot included; no tests);
- `spark export`: `python -m python_loaders export-raw` (the raw tables as Parquet);
- `spark build`: the same dbt command on the `spark` target (local[2], a fresh
  Spark folder; JVM start and metastore creation included).

Both builds' `marts.fct_daily_revenue_by_country` must agree to the cent
(benchmarks.agreement.check_agreement) or the run fails. Results:
benchmarks/results/spark_engines.json; the figures are quoted in
benchmarks/README.md and the README's "Scale out" section.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb

from benchmarks.agreement import check_agreement
from benchmarks.pipeline_output import PIPELINE_QUERY, export_pipeline_table
from benchmarks.steps import run_measured

PROJECT_DIR = Path(__file__).resolve().parents[1]
MODELS_ONLY = ("build", "--exclude-resource-type", "test", "unit_test")


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return sizes


def _env(root: Path, target: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AAVAIL_DBT_TARGET=target,
        AAVAIL_WAREHOUSE=str(root / "warehouse.duckdb"),
        AAVAIL_SPARK_DIR=str(root / "spark"),
        AAVAIL_RAW_PARQUET=str(root / "raw_parquet"),
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_TARGET_PATH=str(root / f"target-{target}"),
        DBT_LOG_PATH=str(root / f"logs-{target}"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def export_spark_table(spark_dir: Path, out: Path) -> None:
    """The Spark build's fct_daily_revenue_by_country in the shared shape (read by DuckDB)."""
    files = spark_dir / "warehouse" / "marts.db" / "fct_daily_revenue_by_country" / "*.parquet"
    query = PIPELINE_QUERY.replace("marts.fct_daily_revenue_by_country", f"read_parquet('{files}')")
    with duckdb.connect() as con:
        con.execute(f"copy ({query}) to '{out}' (format parquet)")


def measure_size(size: int, scratch: Path) -> dict[str, object]:
    root = scratch / f"spark-{size}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    python, dbt = sys.executable, str(Path(sys.executable).with_name("dbt"))
    logs = root / "logs"
    duck_env = _env(root, "ci")
    cli = (python, "-m", "python_loaders")
    generate = (*cli, "generate", "--out", str(root / "sources"), "--invoice-lines", str(size))
    run_measured("generate", (*generate, "--seed", "42"), log_dir=logs, env=duck_env)
    run_measured("load", (*cli, "load", "--source-dir", str(root / "sources"), "--quiet"),
                 log_dir=logs, env=duck_env, cwd=PROJECT_DIR)  # fmt: skip
    steps = [
        run_measured("duckdb build", (dbt, *MODELS_ONLY), log_dir=logs, env=duck_env,
                     cwd=PROJECT_DIR),
        run_measured("spark export", (*cli, "export-raw", "--out", str(root / "raw_parquet")),
                     log_dir=logs, env=duck_env, cwd=PROJECT_DIR),
        run_measured("spark build", (dbt, *MODELS_ONLY), log_dir=logs,
                     env=_env(root, "spark"), cwd=PROJECT_DIR),
    ]  # fmt: skip
    export_pipeline_table(root / "warehouse.duckdb", root / "duckdb.parquet")
    export_spark_table(root / "spark", root / "spark.parquet")
    totals = check_agreement({"duckdb": root / "duckdb.parquet", "spark": root / "spark.parquet"})
    return {
        "invoice_lines": size,
        "steps": {m.step: {"wall_s": round(m.wall_s, 1), "peak_rss_mib": round(m.peak_rss_mib)}
                  for m in steps},
        "agreement": {name: t.as_dict() for name, t in totals.items()},
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark_engines", description=__doc__)
    parser.add_argument("--sizes", type=_sizes, default=[100_000, 1_000_000])
    parser.add_argument("--scratch", type=Path, default=PROJECT_DIR / "data" / "bench")
    parser.add_argument("--results", type=Path, default=PROJECT_DIR / "benchmarks" / "results")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        result = measure_size(size, args.scratch)
        print(json.dumps(result), flush=True)
        results.append(result)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "spark_engines.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
