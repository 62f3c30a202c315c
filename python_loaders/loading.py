"""`load`: land every file of a source directory exactly once, one transaction per file.

For each file (sorted by path): hash it; skip it when raw_meta.files already
holds the same sha256 as `landed`; otherwise, in ONE transaction, delete every
row an earlier version of the file landed or rejected, stage and land the new
content, record it in raw_meta.files and commit. A file that cannot be parsed
is recorded as `rejected` with its error (its earlier rows are removed too, so
the warehouse always mirrors the file's current content) and the run goes on.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from python_loaders import audit
from python_loaders.errors import UserError
from python_loaders.landing import LandingContext, land
from python_loaders.progress import FileProgress, bars_enabled, format_table
from python_loaders.readers import FileRejected
from python_loaders.sources import SOURCES, Source
from python_loaders.warehouse import open_warehouse

EXIT_OK = 0
EXIT_DATA_REJECTED = 1
PAUSE_HOOK = "AAVAIL_TEST_PAUSE_IN_TRANSACTION"
WORKERS_ENV = "AAVAIL_LOADER_WORKERS"


@dataclass
class FileOutcome:
    """What happened to one file in this run."""

    path: str
    source: str
    status: str  # landed / skipped / rejected
    rows_read: int = 0
    rows_landed: int = 0
    rows_rejected: int = 0
    unknown_fields: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class LoadResult:
    """The outcome of a `load` run; `exit_code` is what the CLI returns."""

    load_id: int
    files: list[FileOutcome]
    max_reject_rate: float
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_landed(self) -> int:
        return sum(f.rows_landed for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def reject_rate(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0

    @property
    def problem(self) -> str | None:
        """One line saying why the run is not clean, or None."""
        rejected = self.count("rejected")
        if rejected:
            return f"{rejected} file(s) rejected (see raw_meta.files.error)"
        if self.reject_rate > self.max_reject_rate:
            return (
                f"{self.rows_rejected:,} of {self.rows_read:,} rows rejected"
                f" ({self.reject_rate:.2%}), more than --max-reject-rate"
                f" {self.max_reject_rate:.2%} (see raw_meta.rejected_rows)"
            )
        return None

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.problem is None else EXIT_DATA_REJECTED


def discover(source_dir: Path) -> list[tuple[str, Source]]:
    """Every file of the source dir that belongs to a source, by relative posix path.

    Hidden files and folders (a name starting with `.`) are not source files.
    """
    found: list[tuple[str, Source]] = []
    for path in sorted(source_dir.rglob("*")):
        rel = path.relative_to(source_dir).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in rel.split("/")):
            continue
        source = next((s for s in SOURCES if s.matches(rel)), None)
        if source is not None:
            found.append((rel, source))
    return found


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _pause_for_tests(rel: str) -> None:
    """Test hook: hold the open transaction so a test can kill the process mid-file."""
    seconds = os.environ.get(PAUSE_HOOK)
    if seconds:
        print(f"test hook: pausing in the transaction of {rel}", file=sys.stderr, flush=True)
        time.sleep(float(seconds))


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if DuckDB has not already done so."""
    with contextlib.suppress(duckdb.TransactionException):
        con.rollback()


def _land_in_transaction(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    rel: str,
    digest: str,
    source: Source,
    load_id: int,
    bar: FileProgress,
) -> FileOutcome:
    """Replace the file's earlier rows with its current content, all in ONE transaction.

    Raises FileRejected (or a reader's database/OS error) with nothing changed.
    """
    con.begin()
    try:
        audit.forget_file(con, rel, [t.qualified for t in source.tables])
        staged = source.read(con, path)
        bar.step("landing")
        counts = [land(con, s, LandingContext(load_id, rel)) for s in staged]
        outcome = FileOutcome(
            rel,
            source.name,
            "landed",
            rows_read=sum(c.rows_read for c in counts),
            rows_landed=sum(c.rows_landed for c in counts),
            rows_rejected=sum(c.rows_rejected for c in counts),
            unknown_fields=sorted({f for c in counts for f in c.unknown_fields}),
        )
        audit.record_file(
            con,
            file_path=rel,
            sha256=digest,
            source=source.name,
            status="landed",
            rows=(outcome.rows_read, outcome.rows_landed, outcome.rows_rejected),
            unknown_fields=outcome.unknown_fields,
            error=None,
            load_id=load_id,
        )
        bar.step("committing")
        _pause_for_tests(rel)
        con.commit()
        return outcome
    except BaseException:
        _rollback(con)
        raise


def _record_rejection(
    con: duckdb.DuckDBPyConnection, rel: str, digest: str, source: Source, load_id: int, error: str
) -> FileOutcome:
    """Mark the file rejected and remove what earlier versions of it landed (one transaction)."""
    con.begin()
    try:
        audit.forget_file(con, rel, [t.qualified for t in source.tables])
        audit.record_file(
            con,
            file_path=rel,
            sha256=digest,
            source=source.name,
            status="rejected",
            rows=(0, 0, 0),
            unknown_fields=None,
            error=error,
            load_id=load_id,
        )
        con.commit()
    except BaseException:
        _rollback(con)
        raise
    return FileOutcome(rel, source.name, "rejected", error=error)


def _land_file(
    con: duckdb.DuckDBPyConnection,
    source_dir: Path,
    rel: str,
    source: Source,
    load_id: int,
    bar: FileProgress,
) -> FileOutcome:
    """Skip, land or reject one file."""
    path = source_dir / rel
    try:
        digest = sha256_of(path)
    except OSError as error:
        return _record_rejection(con, rel, "", source, load_id, f"cannot read: {error.strerror}")
    known = audit.file_record(con, rel)
    if known is not None and known.sha256 == digest and known.status == "landed":
        return FileOutcome(rel, source.name, "skipped")
    bar.step("reading")
    try:
        return _land_in_transaction(con, path, rel, digest, source, load_id, bar)
    except (FileRejected, duckdb.Error, sqlite3.Error, OSError) as error:
        return _record_rejection(con, rel, digest, source, load_id, _one_line(error))


def workers(n_files: int) -> int:
    """Files landed at once: $AAVAIL_LOADER_WORKERS, else one per core (at most 4)."""
    configured = os.environ.get(WORKERS_ENV)
    count = int(configured) if configured and configured.isdigit() else min(os.cpu_count() or 1, 4)
    return max(1, min(count, n_files))


def load_sources(
    source_dir: Path,
    warehouse: Path,
    *,
    max_reject_rate: float,
    lock_timeout: float,
    quiet: bool,
) -> LoadResult:
    """Land every source file of `source_dir` in `warehouse`; print a summary.

    The warehouse connection is closed when this returns.
    """
    started = time.monotonic()
    if not source_dir.exists():
        raise UserError(f"source dir {source_dir} does not exist")
    if not source_dir.is_dir():
        raise UserError(f"source dir {source_dir} is not a directory")
    files = discover(source_dir)
    if not files:
        raise UserError(
            f"no source files in {source_dir} (expected aavail-customers.db,"
            " aavail-streams*.csv or invoices/**/*.json)"
        )
    tables = [t for s in SOURCES for t in s.tables]
    show = bars_enabled(quiet)
    with open_warehouse(warehouse, tables, lock_timeout=lock_timeout) as con:
        load_id = audit.start_load(con, str(source_dir.resolve()))

        def one_file(item: tuple[str, Source]) -> FileOutcome:
            rel, source = item
            bar = FileProgress(rel, (source_dir / rel).stat().st_size, enabled=show)
            bar.step("hashing")
            cursor = con.cursor()  # its own connection: its own transaction
            try:
                outcome = _land_file(cursor, source_dir, rel, source, load_id, bar)
            finally:
                cursor.close()
            bar.done(outcome.status)
            return outcome

        # DuckDB reads one JSON array file on one thread; land files side by side
        # (each in its own transaction) to use every core.
        with ThreadPoolExecutor(max_workers=workers(len(files))) as pool:
            outcomes = list(pool.map(one_file, files))
        result = LoadResult(load_id, outcomes, max_reject_rate)
        audit.finish_load(
            con,
            load_id,
            succeeded=result.exit_code == EXIT_OK,
            files=(result.count("landed"), result.count("skipped"), result.count("rejected")),
            rows=(result.rows_landed, result.rows_rejected),
        )
    result.seconds = time.monotonic() - started
    print(summary(result), flush=True)
    if result.problem:
        print(f"error: {result.problem}", file=sys.stderr, flush=True)
    return result


def summary(result: LoadResult) -> str:
    """The end-of-run table: files landed/skipped/rejected and rows per source."""
    rows = []
    for source in SOURCES:
        mine = [f for f in result.files if f.source == source.name]
        if not mine:
            continue
        rows.append(
            (
                source.name,
                sum(f.status == "landed" for f in mine),
                sum(f.status == "skipped" for f in mine),
                sum(f.status == "rejected" for f in mine),
                sum(f.rows_landed for f in mine),
                sum(f.rows_rejected for f in mine),
            )
        )
    rows.append(
        (
            "total",
            result.count("landed"),
            result.count("skipped"),
            result.count("rejected"),
            result.rows_landed,
            result.rows_rejected,
        )
    )
    header = ("source", "landed", "skipped", "rejected", "rows landed", "rows rejected")
    lines = [
        f"load {result.load_id}: {len(result.files)} file(s) in {result.seconds:.1f}s",
        format_table(header, rows),
    ]
    for f in result.files:
        if f.unknown_fields:
            lines.append(
                f"unknown fields kept in _extra_fields: {f.path}: {', '.join(f.unknown_fields)}"
            )
        if f.error:
            lines.append(f"rejected file: {f.path}: {f.error}")
    return "\n".join(lines)
