"""One benchmark run at one size: every step as its own measured process.

Order of a run (each numbered step is a subprocess, timed, peak memory its own):

1. `generate` the sources (N invoice lines).
2. The floor query and 3. the pandas pipeline over the invoice files.
4. DuckDB's bare `read_json` of the invoice files into a table (landing ceiling).
5. `load` every file into a fresh warehouse (a copy of it is kept, untimed);
6. `dbt parse --no-partial-parse`; 7. `dbt build --select +fct_daily_revenue_by_country`
   without tests (like-for-like with the alternatives); 8. back to the freshly loaded
   copy, the full `dbt build` (seeds, models, snapshots, tests), and, in the runs
   that time the job (`RunSettings.job`), `publish` of that build.
9. Spark local mode (only in the runs that include it, `RunSettings.spark`):
   `python -m python_loaders export-raw` of that warehouse, then the same
   like-for-like `dbt build` on the `spark` target in a fresh Spark folder.
10. A new month (goal 4): a fresh warehouse again; load all months but the last,
   `dbt build`, land the last month, `dbt build` again.
11. Nothing new (goal 5): `load` of the same folder again (every file already
   landed) and `dbt build`. Then, in the runs that include the job
   (`RunSettings.job`), back to (an untimed copy of) the warehouse built on
   all months but the last, at the same path: the main job
   `python -m python_loaders run` on the folder holding every month (a new
   month, as users run it: land, freshness, build, publish, charts, docs),
   then the job again with nothing new (whatever it does then).

Then the tables (pipeline, pandas, floor, and Spark when it ran) are checked for
agreement (Disagreement if they differ). Every DuckDB dbt invocation after step 6
finds that parse's partial-parse state (same project, profile and target
directory), as a scheduled job with its `target/` would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from benchmarks import dbt_timing, sources
from benchmarks.agreement import check_agreement
from benchmarks.pipeline_output import export_pipeline_table, export_spark_table
from benchmarks.steps import Measurement, run_measured
from python_loaders.source_layout import INVOICES_DIR

FCT_MODEL = "fct_daily_revenue_by_country"
# The like-for-like build: only what the mart needs, no tests (what the alternatives do).
LIKE_FOR_LIKE = (
    "build",
    "--select",
    f"+{FCT_MODEL}",
    "--exclude-resource-type",
    "test",
    "unit_test",
)
ML_MODELS_PATH = "models/ml"
# ml_features.timing's formulation names -> our figure names.
ML_FORMULATIONS = {
    "revenue_features: pandas (production)": "ml_features_pandas_s",
    "revenue_features: SQL window functions": "ml_features_sql_s",
    "revenue_anomalies: numpy": "ml_anomalies_s",
}


@dataclass(frozen=True)
class Tools:
    """Where the project and its executables are."""

    project_dir: Path
    python: Path
    dbt: Path


@dataclass(frozen=True)
class RunSettings:
    """One run: its size, seed and scratch directory."""

    invoice_lines: int
    customers: int
    seed: int
    run_dir: Path
    country_map: Path
    keep_files: bool = False
    dbt_memory_limit: str | None = None  # AAVAIL_MEMORY_LIMIT for dbt; None: the profile's
    spark: bool = False  # also build the like-for-like lineage on Spark local mode
    job: bool = False  # also time the main job (`python_loaders run`): new month, nothing new


class Run:
    """Measures the steps of one run and collects its figures (name -> number)."""

    def __init__(self, tools: Tools, settings: RunSettings) -> None:
        self.tools = tools
        self.settings = settings
        self.log_dir = settings.run_dir / "logs"
        self.figures: dict[str, float] = {}
        self.slowest_nodes: dict[str, list[tuple[str, float]]] = {}

    # -- helpers -----------------------------------------------------------------
    def _record(self, name: str, measurement: Measurement) -> Measurement:
        self.figures[f"{name}_s"] = measurement.wall_s
        self.figures[f"{name}_mib"] = measurement.peak_rss_mib
        return measurement

    def _python(self, step: str, *args: str | Path) -> Measurement:
        argv = [str(self.tools.python), *map(str, args)]
        return run_measured(step, argv, log_dir=self.log_dir, cwd=self.tools.project_dir)

    def _dbt_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DBT_PROFILES_DIR=str(self.tools.project_dir),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            AAVAIL_WAREHOUSE=str(self.warehouse),
            AAVAIL_DBT_TARGET="dev",
        )
        if self.settings.dbt_memory_limit:
            env["AAVAIL_MEMORY_LIMIT"] = self.settings.dbt_memory_limit
        return env

    def _spark_env(self) -> dict[str, str]:
        env = self._dbt_env()
        env.update(
            AAVAIL_DBT_TARGET="spark",
            AAVAIL_SPARK_DIR=str(self.settings.run_dir / "spark"),
            AAVAIL_RAW_PARQUET=str(self.settings.run_dir / "raw_parquet"),
        )
        return env

    @property
    def warehouse(self) -> Path:
        return self.settings.run_dir / "warehouse.duckdb"

    @property
    def target_dir(self) -> Path:
        return self.settings.run_dir / "target"

    def _dbt(self, step: str, *args: str, spark: bool = False) -> Measurement:
        """Run dbt on the run's warehouse with the run's own --target-path (one per engine)."""
        argv = [
            str(self.tools.dbt),
            *args,
            "--project-dir",
            str(self.tools.project_dir),
            "--target-path",
            str(self.target_dir.with_name("target-spark") if spark else self.target_dir),
            "--log-path",
            str(self.log_dir / ("dbt-spark" if spark else "dbt")),
            "--no-use-colors",
        ]
        return run_measured(
            step,
            argv,
            log_dir=self.log_dir,
            env=self._spark_env() if spark else self._dbt_env(),
            cwd=self.tools.project_dir,
            sample_tree=spark,
        )

    def _build_timings(self, name: str, measurement: Measurement) -> None:
        """Wall, execution sum, busy time and overhead of a dbt build from its run_results."""
        target_dir = self.target_dir
        timings = dbt_timing.read_run_results(target_dir)
        # Keep each build's run_results for profiling (the next invocation overwrites it).
        shutil.copyfile(target_dir / "run_results.json", self.log_dir / f"{name}_run_results.json")
        self.figures[f"{name}_exec_sum_s"] = timings.execution_sum_s
        self.figures[f"{name}_busy_s"] = timings.busy_s
        self.figures[f"{name}_overhead_s"] = measurement.wall_s - timings.busy_s
        self.figures[f"{name}_overhead_vs_sum_s"] = measurement.wall_s - timings.execution_sum_s
        ml_nodes = dbt_timing.nodes_under(target_dir, ML_MODELS_PATH)
        self.figures[f"{name}_ml_models_s"] = timings.sum_for(ml_nodes)
        self.slowest_nodes[name] = timings.slowest(8)

    def _record_tree(self, name: str, measurement: Measurement) -> Measurement:
        """Like _record, with the peak of the whole process tree (the JVM of a Spark build)."""
        self._record(name, measurement)
        if measurement.tree_peak_rss_mib is not None:
            self.figures[f"{name}_tree_mib"] = measurement.tree_peak_rss_mib
        return measurement

    def _load(self, step: str, source_dir: Path) -> Measurement:
        return self._python(
            step,
            "-m",
            "python_loaders",
            "load",
            "--source-dir",
            source_dir,
            "--warehouse",
            self.warehouse,
            "--quiet",
        )

    # -- the run -------------------------------------------------------------------
    def execute(self) -> dict[str, float]:
        run_dir = self.settings.run_dir
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        (run_dir / "duckdb_tmp").mkdir()
        source_dir = run_dir / "sources"
        invoice_dir = source_dir / INVOICES_DIR
        tables = {
            "pipeline": run_dir / "pipeline.parquet",
            "pandas": run_dir / "pandas.parquet",
            "floor": run_dir / "floor.parquet",
        }
        if self.settings.spark:
            tables["spark"] = run_dir / "spark.parquet"
        country_map = self.settings.country_map
        # How busy the machine was (1-minute load average) when the run started.
        self.figures["load_average_at_start"] = os.getloadavg()[0]

        self._record(
            "generate",
            self._python(
                "generate",
                "-m",
                "python_loaders",
                "generate",
                "--out",
                source_dir,
                "--seed",
                str(self.settings.seed),
                "--customers",
                str(self.settings.customers),
                "--invoice-lines",
                str(self.settings.invoice_lines),
            ),
        )
        self._record(
            "floor",
            self._python(
                "floor",
                "-m",
                "benchmarks.alternatives.floor",
                "--invoice-dir",
                invoice_dir,
                "--country-map",
                country_map,
                "--out",
                tables["floor"],
            ),
        )
        self._record(
            "pandas",
            self._python(
                "pandas",
                "-m",
                "benchmarks.alternatives.pandas_pipeline",
                "--invoice-dir",
                invoice_dir,
                "--country-map",
                country_map,
                "--out",
                tables["pandas"],
            ),
        )
        self._record(
            "read_json",
            self._python(
                "read_json",
                "-m",
                "benchmarks.alternatives.read_json_ceiling",
                "--invoice-dir",
                invoice_dir,
                "--database",
                run_dir / "read_json.duckdb",
            ),
        )

        # Every dbt invocation uses the same warehouse path and target directory, so the
        # one timed `dbt parse` leaves partial-parse state that stays valid for the rest
        # (a different warehouse path would change the profile and force a full parse).
        warehouse = self.warehouse
        loaded = run_dir / "warehouse_loaded.duckdb"
        self._record("load", self._load("load", source_dir))
        shutil.copyfile(warehouse, loaded)
        self._record("dbt_parse", self._dbt("dbt_parse", "parse", "--no-partial-parse"))
        like_for_like = self._record("dbt_build_fct", self._dbt("dbt_build_fct", *LIKE_FOR_LIKE))
        self._build_timings("dbt_build_fct", like_for_like)
        os.replace(loaded, warehouse)
        build = self._record("dbt_build", self._dbt("dbt_build", "build"))
        self._build_timings("dbt_build", build)
        export_pipeline_table(warehouse, tables["pipeline"])
        self._ml_formulations(warehouse)
        if self.settings.job:
            self._publish()
        if self.settings.spark:
            self._spark(tables["spark"])
        warehouse.unlink()

        self._incremental(source_dir)
        self._nothing_new()

        for name, totals in check_agreement(tables).items():
            for key, value in totals.as_dict().items():
                self.figures[f"{name}_{key}"] = value
        self._derive()
        if not self.settings.keep_files:
            for path in run_dir.glob("*.duckdb"):
                path.unlink()
            shutil.rmtree(source_dir)
            for folder in ("sources_incremental", "spark", "raw_parquet", "exports", "charts"):
                shutil.rmtree(run_dir / folder, ignore_errors=True)
        return self.figures

    def _ml_formulations(self, warehouse: Path) -> None:
        """The ml engineer's timing of `revenue_features` in pandas and as SQL windows."""
        if importlib.util.find_spec("ml_features.timing") is None:
            return
        self._python("ml_timing", "-m", "ml_features.timing", "--warehouse", warehouse, "--json")
        for line in (self.log_dir / "ml_timing.log").read_text().splitlines():
            if not line.startswith("{"):
                continue
            timing = json.loads(line)
            key = ML_FORMULATIONS.get(str(timing.get("formulation")))
            if key is not None:
                self.figures[key] = float(timing["best_seconds"])

    def _publish(self) -> None:
        """`python -m python_loaders publish` of the full build (the job's step after it)."""
        self._record(
            "publish",
            self._python(
                "publish",
                "-m",
                "python_loaders",
                "publish",
                "--warehouse",
                self.warehouse,
                "--analytics",
                self.settings.run_dir / "analytics.duckdb",
                "--target-dir",
                self.target_dir,
            ),
        )

    def _spark(self, out: Path) -> None:
        """Export the loaded raw tables as Parquet, build the mart's lineage on Spark."""
        self._record(
            "spark_export",
            self._python(
                "spark_export",
                "-m",
                "python_loaders",
                "export-raw",
                "--warehouse",
                self.warehouse,
                "--out",
                self.settings.run_dir / "raw_parquet",
            ),
        )
        # Untimed parse on the spark target, so the timed build finds partial-parse
        # state as the DuckDB builds do (dbt parse does not start Spark).
        self._dbt("spark_parse", "parse", spark=True)
        build = self._dbt("spark_build_fct", *LIKE_FOR_LIKE, spark=True)
        self._record_tree("spark_build_fct", build)
        export_spark_table(self.settings.run_dir / "spark", out)

    def _incremental(self, source_dir: Path) -> None:
        """Fresh warehouse: land all months but the last, build, land the last, build again."""
        partial_dir = self.settings.run_dir / "sources_incremental"
        last_month = sources.last_month_files(source_dir)
        sources.link_tree(source_dir, partial_dir, exclude=set(last_month))

        self._record("load_before_last_month", self._load("load_before", partial_dir))
        full = self._record(
            "dbt_build_before_last_month", self._dbt("dbt_build_before_last_month", "build")
        )
        self._build_timings("dbt_build_before_last_month", full)
        if self.settings.job:  # the job's new month starts from this warehouse (step 11)
            shutil.copyfile(self.warehouse, self._before_last_month)
        sources.add_links(source_dir, partial_dir, last_month)
        self._record("load_last_month", self._load("load_last_month", partial_dir))
        incremental = self._record(
            "dbt_build_incremental", self._dbt("dbt_build_incremental", "build")
        )
        self._build_timings("dbt_build_incremental", incremental)

    @property
    def _before_last_month(self) -> Path:
        return self.settings.run_dir / "warehouse_before_last_month.duckdb"

    def _nothing_new(self) -> None:
        """Goal 5: `load` + `dbt build` again; in job runs, the job with a new month (goal 4)
        and then with nothing new."""
        partial_dir = self.settings.run_dir / "sources_incremental"
        self._record("load_nothing_new", self._load("load_nothing_new", partial_dir))
        build = self._record("dbt_build_nothing_new", self._dbt("dbt_build_nothing_new", "build"))
        self._build_timings("dbt_build_nothing_new", build)
        if self.settings.job:
            # Same warehouse path (so the same profile: dbt's partial parse stays valid).
            os.replace(self._before_last_month, self.warehouse)
            self._record("job_new_month", self._job("job_new_month", partial_dir))
            # The new-month run published, so this one finds nothing new anywhere, as a
            # scheduled job would.
            self._record("job_nothing_new", self._job("job_nothing_new", partial_dir))

    def _job(self, step: str, source_dir: Path) -> Measurement:
        """The main job, `python -m python_loaders run`, on the run's warehouse and folder."""
        env = self._dbt_env()
        env.update(
            DBT_TARGET_PATH=str(self.target_dir),
            DBT_LOG_PATH=str(self.log_dir / "dbt"),
            AAVAIL_CHARTS_DIR=str(self.settings.run_dir / "charts"),
        )
        argv = [
            str(self.tools.python),
            "-m",
            "python_loaders",
            "run",
            "--source-dir",
            str(source_dir),
            "--warehouse",
            str(self.warehouse),
            "--analytics",
            str(self.settings.run_dir / "analytics.duckdb"),
            "--quiet",
        ]
        return run_measured(step, argv, log_dir=self.log_dir, env=env, cwd=self.tools.project_dir)

    def _derive(self) -> None:
        """End-to-end figures of the pipeline from its steps."""
        f = self.figures
        f["pipeline_s"] = f["load_s"] + f["dbt_build_s"]
        f["pipeline_mib"] = max(f["load_mib"], f["dbt_build_mib"])
        f["pipeline_fct_s"] = f["load_s"] + f["dbt_build_fct_s"]
        f["pipeline_fct_mib"] = max(f["load_mib"], f["dbt_build_fct_mib"])
        f["incremental_s"] = f["load_last_month_s"] + f["dbt_build_incremental_s"]
        f["incremental_before_s"] = (
            f["load_before_last_month_s"] + f["dbt_build_before_last_month_s"]
        )
        f["incremental_mib"] = max(f["load_last_month_mib"], f["dbt_build_incremental_mib"])
        f["nothing_new_s"] = f["load_nothing_new_s"] + f["dbt_build_nothing_new_s"]
        if "spark_build_fct_s" in f:
            f["spark_pipeline_fct_s"] = f["spark_export_s"] + f["spark_build_fct_s"]
