"""`run`: the main job, end to end: (generate sample sources,) load, dbt source freshness,
dbt build, publish, charts, dbt docs generate.

The job is the list of `Step`s returned by `main_job_steps()`, run in order
until one fails; to add a step (publish, charts, ...) add one line there.
Every step gets the same `JobOptions`.

The loader's DuckDB connection is closed before dbt starts (DuckDB allows one
writing process per file). Before each dbt step the warehouse lock is checked
with the same bounded wait as `load` (`--lock-timeout`): held by another
process (a writer, or a reader holding it read-only) the job ends in one line
naming the holder instead of dbt's traceback. Every dbt step of one `run`
runs in one dbt child process (`DbtSession`, python_loaders.job.dbt_worker),
started at the first dbt step in the project directory with DBT_PROFILES_DIR =
that directory and AAVAIL_WAREHOUSE = the absolute warehouse path: dbt is
imported and the project parsed once per run, not once per step, and
`dbt docs generate` reuses what `dbt build` compiled. Its output streams
straight to the terminal; between steps it holds no lock on the warehouse.
SIGTERM, SIGINT and SIGHUP sent to `run` are forwarded to the dbt child, `run`
waits for it to stop and exits with 128 + the signal number.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from python_loaders.common.child_process import ChildSession, signals_interrupt
from python_loaders.common.errors import Interrupted, UserError, report_error
from python_loaders.common.paths import DEFAULT_SAMPLE_DIR, default_analytics
from python_loaders.common.warehouse import wait_until_free
from python_loaders.ingestion.loading import load_sources, print_report
from python_loaders.job import freshness, up_to_date

DBT_STEPS: tuple[tuple[str, ...], ...] = (("build",), ("docs", "generate"))
# Before `docs generate --no-compile` after a build in the same session: the build compiled
# every node but the analyses.
COMPILE_ANALYSES: tuple[str, ...] = ("compile", "--select", "resource_type:analysis", "--quiet")
# Options that change what dbt parses: a `DbtSession` parses once, so it refuses them.
PARSE_OPTIONS: tuple[str, ...] = (
    "--vars",
    "--target",
    "-t",
    "--profile",
    "--project-dir",
    "--profiles-dir",
)
LOCK_TIMEOUT_SECONDS = 30.0


def find_project_dir(start: Path | None = None) -> Path:
    """The folder holding dbt_project.yml: the working dir or a parent, else the package's."""
    candidates = [start or Path.cwd()]
    candidates += list(candidates[0].resolve().parents)
    candidates.append(Path(__file__).resolve().parents[2])
    for folder in candidates:
        if (folder / "dbt_project.yml").is_file():
            return folder.resolve()
    raise UserError("no dbt_project.yml in the working directory, its parents or the package's")


def require_dbt() -> None:
    """`UserError` unless this Python would import dbt and its DuckDB adapter.

    Looks for their files without importing them (importing dbt costs a second of CPU).
    """
    spec = importlib.util.find_spec("dbt")  # the top-level package is not imported
    folders = [Path(f) for f in (spec.submodule_search_locations or [])] if spec else []
    needed = (Path("cli") / "main.py", Path("adapters") / "duckdb" / "__init__.py")
    if not all(any((folder / part).is_file() for folder in folders) for part in needed):
        raise UserError("dbt is not installed in this Python (run `make setup`)")


def ensure_sample_sources(source_dir: Path, quiet: bool) -> None:
    """Generate the default sample sources when the folder does not exist yet (atomically)."""
    if source_dir.exists():
        return
    from python_loaders.generator import generate_sources

    try:
        source_dir.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".sample_sources-", dir=source_dir.parent))
    except OSError as error:
        raise UserError(
            f"cannot create the sample sources in {source_dir.parent}: {error.strerror}"
        ) from None
    try:
        generate_sources(scratch / "out", quiet=quiet)
        (scratch / "out").rename(source_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class DbtSession:
    """The dbt child process of one `run` (python_loaders.job.dbt_worker): `run(args)` runs
    `dbt ARGS...` in it and returns dbt's exit code. Use it as a context manager.

    `target` names the profiles.yml output (AAVAIL_DBT_TARGET), e.g. `spark`;
    `raw_parquet` the raw tables' Parquet export it reads (AAVAIL_RAW_PARQUET).
    """

    def __init__(
        self,
        project_dir: Path,
        warehouse: Path,
        *,
        lock_timeout: float = LOCK_TIMEOUT_SECONDS,
        target: str | None = None,
        raw_parquet: Path | None = None,
    ) -> None:
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(project_dir),
            "AAVAIL_WAREHOUSE": str(warehouse),
            "AAVAIL_LOCK_TIMEOUT": f"{lock_timeout:g}",
        }
        if target is not None:
            env["AAVAIL_DBT_TARGET"] = target
        if raw_parquet is not None:
            env["AAVAIL_RAW_PARQUET"] = str(raw_parquet)
        if not sys.stdout.isatty():
            env.setdefault("DBT_USE_COLORS", "false")  # no escape codes in logs and CI output
        self.warehouse = warehouse
        self.lock_timeout = lock_timeout
        self._child = ChildSession(
            [sys.executable, "-m", "python_loaders.job.dbt_worker"], cwd=project_dir, env=env
        )
        # a full `dbt build` succeeded: the session's manifest holds its compiled nodes
        self.built = False

    @property
    def pid(self) -> int | None:
        """The dbt process's PID once started."""
        return self._child.pid

    def run(self, args: tuple[str, ...]) -> int:
        """Run one dbt command, streaming its output; return its exit code.

        Every command reuses the session's one parse of the project, so an option
        that would parse it differently (`PARSE_OPTIONS`) is a `UserError`. First
        waits (bounded) until no other process holds the warehouse, so a locked
        warehouse ends in one line naming the holder (`UserError`, exit 3).
        """
        changing = [a for a in args if a.split("=", 1)[0] in PARSE_OPTIONS]
        if changing:
            raise UserError(
                f"dbt {' '.join(args)}: {changing[0].split('=', 1)[0]} would change what dbt"
                " parsed for this run (set it for the whole run instead)"
            )
        wait_until_free(self.warehouse, lock_timeout=self.lock_timeout)
        print(f"$ dbt {' '.join(args)}", flush=True)
        code = self._child.request(json.dumps(list(args)))
        if args == DBT_STEPS[0] and code == 0:
            self.built = True
        return code

    def __enter__(self) -> DbtSession:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *rest: object) -> None:
        self._child.__exit__(error_type, *rest)


@dataclass(frozen=True)
class JobOptions:
    """What every step of one `run` works on (add a field here when a step needs one)."""

    project: Path
    source_dir: Path
    warehouse: Path
    max_reject_rate: float = 0.01
    quiet: bool = False
    lock_timeout: float = LOCK_TIMEOUT_SECONDS
    analytics: Path = Path("data") / "analytics.duckdb"
    # `--target spark`: the dbt target, and where the raw tables' Parquet export goes
    dbt_target: str | None = None
    raw_parquet: Path = Path("data") / "raw_parquet"
    # the run's dbt process; None: each dbt step starts its own
    dbt: DbtSession | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Step:
    """One step of the main job: a name for messages and a function returning an exit code."""

    name: str
    run: Callable[[JobOptions], int]
    # skipped when the published build is still current (python_loaders.job.up_to_date)
    skip_when_current: bool = False


def load_step(job: JobOptions) -> int:
    """Land the source dir in the warehouse (returns with the connection closed)."""
    result = load_sources(
        job.source_dir,
        job.warehouse,
        max_reject_rate=job.max_reject_rate,
        lock_timeout=job.lock_timeout,
        quiet=job.quiet,
    )
    print_report(result)
    return result.exit_code


def new_dbt_session(job: JobOptions) -> DbtSession:
    """A dbt process for `job`'s project, warehouse and target."""
    return DbtSession(
        job.project,
        job.warehouse,
        lock_timeout=job.lock_timeout,
        target=job.dbt_target,
        raw_parquet=job.raw_parquet if job.dbt_target == "spark" else None,
    )


@contextmanager
def dbt_session(job: JobOptions) -> Iterator[DbtSession]:
    """The job's dbt process, or one for this step alone (ended after it)."""
    if job.dbt is not None:
        yield job.dbt
        return
    with new_dbt_session(job) as session:
        yield session


def dbt_step(*args: str) -> Step:
    """A step running `dbt ARGS...` on the job's project and warehouse."""

    def run(job: JobOptions) -> int:
        with dbt_session(job) as session:
            return session.run(args)

    return Step(f"dbt {' '.join(args)}", run)


def docs_step(job: JobOptions) -> int:
    """`dbt docs generate`; after a green build in the same dbt process, on that build's
    compiled manifest (the analyses compiled first) instead of compiling every node again."""
    with dbt_session(job) as session:
        if not session.built:
            return session.run(DBT_STEPS[1])
        return session.run(COMPILE_ANALYSES) or session.run((*DBT_STEPS[1], "--no-compile"))


def export_raw_step(job: JobOptions) -> int:
    """Write the landed raw tables as Parquet datasets for Spark (ingestion.raw_parquet)."""
    from python_loaders.ingestion.raw_parquet import export_raw_parquet, summary

    exported = export_raw_parquet(job.warehouse, job.raw_parquet, lock_timeout=job.lock_timeout)
    print(summary(exported, job.raw_parquet), flush=True)
    return 0


def spark_job_steps() -> list[Step]:
    """`run --target spark`: land in DuckDB (exactly once), export the raw tables as
    Parquet, `dbt build` on Spark. Publish, charts and docs read the DuckDB build."""
    return [
        Step("load", load_step),
        Step("export raw Parquet", export_raw_step),
        dbt_step(*DBT_STEPS[0]),
    ]


def publish_step(job: JobOptions) -> int:
    """Publish the build just made for readers (publishing.publish); refuses a failed one."""
    from python_loaders.publishing.publish import describe, publish

    publication = publish(
        job.warehouse, job.analytics, project_dir=job.project, lock_timeout=job.lock_timeout
    )
    print(describe(publication), flush=True)
    return 0


def charts_step(job: JobOptions) -> int:
    """Render the analysts' charts from the published file into assets/charts (docs assets)."""
    from python_loaders.publishing.charts import default_charts_dir, render_charts
    from python_loaders.publishing.publish import read_publication

    if read_publication(job.analytics) is None:  # a project without marts publishes nothing
        print("charts: skipped (nothing is published)", flush=True)
        return 0
    out = default_charts_dir(job.project)
    written = render_charts(job.analytics, out)
    print(f"charts: {len(written)} files in {out}", flush=True)
    return 0


def freshness_step(job: JobOptions) -> int:
    """`dbt source freshness`: a stale source warns in one line and the job goes on; a
    check that could not run stops it (python_loaders.job.freshness says why)."""
    target = freshness.target_dir(job.project)
    for artifact in (freshness.RESULTS_FILE, "manifest.json"):  # never read an earlier run's
        (target / artifact).unlink(missing_ok=True)
    with dbt_session(job) as session:
        code = session.run(freshness.FRESHNESS_ARGS)
    results, expected = freshness.read_results(target), freshness.checked_sources(target)
    code, warning = freshness.outcome(code, results, expected)
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)
    return code


def main_job_steps() -> list[Step]:
    """The main job, in order: insert new steps here (e.g. publish after `dbt build`)."""
    return [
        Step("load", load_step),
        Step(f"dbt {' '.join(freshness.FRESHNESS_ARGS)}", freshness_step),
        replace(dbt_step(*DBT_STEPS[0]), skip_when_current=True),
        Step("publish", publish_step, skip_when_current=True),
        Step("charts", charts_step, skip_when_current=True),
        Step(f"dbt {' '.join(DBT_STEPS[1])}", docs_step, skip_when_current=True),
    ]


def report_current_build(job: JobOptions) -> bool:
    """True (after one line saying so) when the published build is still current:
    the load landed nothing new and the project is unchanged since that build."""
    current = up_to_date.current_build(job.warehouse, job.analytics, job.project)
    if current is None:
        return False
    print(
        f"nothing new since the published build {current.invocation_id}"
        f" ({current.started_at:%Y-%m-%d %H:%M:%S} UTC): not rebuilt, published file kept",
        flush=True,
    )
    return True


def run_main_job(
    source_dir: Path | None,
    warehouse: Path,
    max_reject_rate: float,
    quiet: bool,
    *,
    project_dir: Path | None = None,
    lock_timeout: float = LOCK_TIMEOUT_SECONDS,
    analytics: Path | None = None,
    target: str | None = None,
    raw_parquet: Path | None = None,
) -> int:
    """Generate (if needed), then run every step of `main_job_steps()`; 0 when all passed.

    A step that fails, or a signal, stops the job with one line naming the step.
    """
    with signals_interrupt():
        project = project_dir or find_project_dir()
        require_dbt()  # fail before loading anything when dbt is missing
        if source_dir is None:
            source_dir = project / DEFAULT_SAMPLE_DIR
            ensure_sample_sources(source_dir, quiet)
        options = JobOptions(
            project=project,
            source_dir=source_dir,
            warehouse=warehouse.expanduser().resolve(),
            max_reject_rate=max_reject_rate,
            quiet=quiet,
            lock_timeout=lock_timeout,
            analytics=(analytics or default_analytics(warehouse)).expanduser().resolve(),
            dbt_target=target,
            raw_parquet=(raw_parquet or JobOptions.raw_parquet).expanduser().resolve(),
        )
        with new_dbt_session(options) as session:
            return _run_steps(replace(options, dbt=session), target)


def _run_steps(job: JobOptions, target: str | None) -> int:
    """Run the job's steps in order; the exit code of the first that fails, else 0."""
    steps = spark_job_steps() if target == "spark" else main_job_steps()
    current: bool | None = None  # decided at the first skippable step, after the load
    for index, step in enumerate(steps):
        if step.skip_when_current:
            if current is None:
                current = report_current_build(job)
            if current:
                continue
        skipped = ", ".join(f"`{later.name}`" for later in steps[index + 1 :])
        tail = f"; not run: {skipped}" if skipped else ""
        try:
            code = step.run(job)
        except Interrupted as stop:
            return report_error(f"{stop} during step `{step.name}`{tail}", stop.exit_code)
        except UserError as error:
            return report_error(f"step `{step.name}`: {error}{tail}", error.exit_code)
        if code != 0:
            return report_error(f"step `{step.name}` failed (exit {code}){tail}", code)
    return 0
