"""`load`: land every file of a source directory exactly once, one transaction per file.

A run lists the source dir (`discovery`: every entry is a source file or
ignored, with the reason), hashes every source file, then decides per file,
against `raw_meta.files`:

* same content as the version in place: **skipped**;
* content already in place under a path that is gone from this source dir:
  **moved** (its rows are re-pointed to the new path; nothing lands twice);
* content already in place under another path that still exists: **rejected**
  as a duplicate (never landed twice);
* new or changed content: **landed** in ONE transaction that deletes the rows
  of the version in place and lands the new one. When that cannot complete
  (the file cannot be parsed, or a transient failure: a locked SQLite file,
  DuckDB out of memory, a full disk, a read error) the transaction rolls back,
  the version in place keeps its rows, and the file is recorded as
  **rejected** with the error and which version remains; the run goes on
  with the other files and exits non-zero. A rejected file is retried on
  every run.
* a file recorded from another source dir that still exists is never
  replaced by different content from this one (rejected, one line).

Files recorded from this source dir that are no longer in it are reported as
**missing** (their rows are kept) and removed only with `prune_missing`. An
invoice month landed from several files is reported (a corrected re-export
beside the old file); when one of them is missing (the old export was
replaced under a new name, yet still counts) the run fails until it is pruned.
After the files, the row count of every raw table is recorded in
`raw_meta.table_volumes` (dbt's volume tests compare it with earlier runs).
Runs left `running` by a killed process are closed as `interrupted` when the
next run starts; Ctrl-C and SIGTERM close the run as `interrupted` on the way
out. No exception raised while landing one file stops the others.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from python_loaders.common.child_process import signals_interrupt
from python_loaders.common.errors import UserError
from python_loaders.ingestion import audit
from python_loaders.ingestion.discovery import Found, Ignored, content_sha256, discover, printable
from python_loaders.ingestion.landing import LandingContext, land
from python_loaders.ingestion.progress import FileProgress, bars_enabled, format_table
from python_loaders.ingestion.raw_warehouse import open_warehouse
from python_loaders.ingestion.readers import FileRejected
from python_loaders.ingestion.sources import SOURCES
from python_loaders.ingestion.states import FileStatus, LoadStatus
from python_loaders.source_layout import EXPECTED_FILES

EXIT_OK = 0
EXIT_DATA_REJECTED = 1
WORKERS_ENV = "AAVAIL_LOADER_WORKERS"
RAW_TABLES: tuple[str, ...] = tuple(t.label for s in SOURCES for t in s.tables)

# SQLite error names that say "try again later", not "this file is broken".
_TRANSIENT_SQLITE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_NOMEM",
    "SQLITE_FULL",
    "SQLITE_INTERRUPT",
    "SQLITE_PROTOCOL",
)
_TRANSIENT_DUCKDB = (
    duckdb.OutOfMemoryException,
    duckdb.IOException,
    duckdb.InterruptException,
    duckdb.TransactionException,
    duckdb.FatalException,
)


@dataclass
class FileOutcome:
    """What happened to one file in this run."""

    path: str
    source: str
    status: FileStatus
    rows_read: int = 0
    rows_landed: int = 0
    rows_rejected: int = 0
    unknown_fields: list[str] = field(default_factory=list)
    error: str | None = None
    note: str | None = None  # e.g. "moved from invoices/a.json"


@dataclass(frozen=True)
class MissingFile:
    """A file recorded from this source dir that is no longer in it."""

    path: str
    rows_landed: int
    since_load_id: int


@dataclass
class LoadResult:
    """The outcome of a `load` run; `exit_code` is what the CLI returns."""

    load_id: int
    files: list[FileOutcome]
    max_reject_rate: float
    seconds: float = 0.0
    ignored: list[Ignored] = field(default_factory=list)
    missing: list[MissingFile] = field(default_factory=list)
    pruned: list[MissingFile] = field(default_factory=list)
    closed_interrupted: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # fail the run, like a rejected file
    close_error: str | None = None

    def count(self, status: FileStatus) -> int:
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
        if self.close_error:
            return f"load {self.load_id} could not be finished: {self.close_error}"
        rejected = self.count(FileStatus.REJECTED)
        if rejected:
            return f"{rejected} file(s) rejected (see raw_meta.files.error)"
        if self.conflicts:
            return self.conflicts[0]
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

    def counts(self) -> audit.LoadCounts:
        return audit.LoadCounts(
            landed=self.count(FileStatus.LANDED),
            skipped=self.count(FileStatus.SKIPPED),
            rejected=self.count(FileStatus.REJECTED),
            moved=self.count(FileStatus.MOVED),
            missing=len(self.missing),
            pruned=len(self.pruned),
            ignored=len(self.ignored),
            rows_landed=self.rows_landed,
            rows_rejected=self.rows_rejected,
        )


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every error it was raised from or while handling."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def transient_cause(error: BaseException) -> tuple[str, str] | None:
    """(`read` or `land`, one line) when the failure is transient (worth a rerun), else None.

    `read`: reading the file failed (an OS error, a locked or busy SQLite file);
    `land`: DuckDB failed (out of memory, a full disk, an I/O error, a failed commit).
    """
    for cause in _chain(error):
        if isinstance(cause, OSError):
            return "read", _one_line(cause)
        if isinstance(cause, (*_TRANSIENT_DUCKDB, MemoryError)):
            return "land", _one_line(cause)
        if isinstance(cause, sqlite3.Error) and getattr(cause, "sqlite_errorname", "").startswith(
            _TRANSIENT_SQLITE
        ):
            return "read", _one_line(cause)
    return None


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if DuckDB has not already done so."""
    with contextlib.suppress(duckdb.Error):
        con.rollback()


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        _rollback(con)
        raise


def workers(n_files: int) -> int:
    """Files landed at once: $AAVAIL_LOADER_WORKERS, else one per core (at most 4)."""
    configured = os.environ.get(WORKERS_ENV)
    count = int(configured) if configured and configured.isdigit() else min(os.cpu_count() or 1, 4)
    return max(1, min(count, n_files))


def _kept_note(known: audit.FileRecord | None) -> str | None:
    """Which version of the file stays in place after a failed replacement."""
    if known is None or known.landed_sha256 is None:
        return None
    return (
        f"previous version kept (sha256 {known.landed_sha256[:12]},"
        f" {known.rows_landed:,} rows landed)"
    )


@dataclass(frozen=True)
class _Reason:
    """Why a file is rejected; a transient one is worth a rerun of the same file."""

    text: str
    transient: str | None = None  # `read` or `land` when a rerun may succeed


@dataclass
class _Task:
    """One source file of this run, hashed, with the version raw_meta.files knows."""

    found: Found
    digest: str | None = None
    read_error: str | None = None  # hashing failed: why (a transient failure)

    @property
    def rel(self) -> str:
        return self.found.rel


class _Run:
    """One load run over an open warehouse connection."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, source_dir: str, load_id: int, show_bars: bool
    ) -> None:
        self.con = con
        self.source_dir = source_dir
        self.load_id = load_id
        self.show_bars = show_bars
        self.records: dict[str, audit.FileRecord] = {}
        self._by_content: dict[str, list[audit.FileRecord]] = {}
        self.reload_records()
        self._cursors: set[duckdb.DuckDBPyConnection] = set()
        self._lock = threading.Lock()
        self.stopping = threading.Event()  # set on Ctrl-C / SIGTERM: workers give up

    def reload_records(self) -> None:
        """Re-read raw_meta.files (after files landed or moved)."""
        self.records = audit.file_records(self.con)
        self._by_content = {}
        for record in sorted(self.records.values(), key=lambda r: r.file_path):
            if record.landed_sha256 is not None:
                self._by_content.setdefault(record.landed_sha256, []).append(record)

    # --- connections --------------------------------------------------------------------

    @contextlib.contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Its own connection (its own transaction), interruptible by `interrupt_all`."""
        cursor = self.con.cursor()
        with self._lock:
            self._cursors.add(cursor)
        try:
            yield cursor
        finally:
            with self._lock:
                self._cursors.discard(cursor)
            cursor.close()

    def interrupt_all(self) -> None:
        """Stop every file in flight (its transaction rolls back; nothing is recorded)."""
        self.stopping.set()
        with self._lock:
            for cursor in self._cursors:
                with contextlib.suppress(duckdb.Error):
                    cursor.interrupt()

    # --- one file -----------------------------------------------------------------------

    def _other_dir_holds(self, known: audit.FileRecord | None) -> str | None:
        """The other, still existing, source dir whose version of the file is in place."""
        if known is None or known.landed_sha256 is None or known.source_dir is None:
            return None
        if known.source_dir == self.source_dir or not Path(known.source_dir).is_dir():
            return None
        return known.source_dir

    def reject(self, con: duckdb.DuckDBPyConnection, task: _Task, reason: _Reason) -> FileOutcome:
        """Record the file as rejected, leaving the version in place (if any) untouched."""
        kept = _kept_note(self.records.get(task.rel))
        if reason.transient:
            message = (
                f"could not {reason.transient} (transient: {reason.text}),"
                f" {kept or 'nothing landed'}"
            )
            message += "; rerun to retry"
        else:
            message = f"{reason.text}; {kept}" if kept else reason.text
        known = self.records.get(task.rel)
        outcome = FileOutcome(task.rel, task.found.source.name, FileStatus.REJECTED, error=message)
        try:
            with _transaction(con):
                audit.record_rejected(
                    con,
                    file_path=task.rel,
                    sha256=task.digest or "",
                    source=task.found.source.name,
                    source_dir=self.source_dir,
                    error=message,
                    load_id=self.load_id,
                    keep_source_dir=self._other_dir_holds(known) is not None,
                )
        except Exception as failure:  # the warehouse itself failed (disk full, ...)
            outcome.error = f"{message} (not recorded in raw_meta.files: {_one_line(failure)})"
        return outcome

    def _land_in_transaction(
        self, con: duckdb.DuckDBPyConnection, task: _Task, bar: FileProgress
    ) -> FileOutcome:
        """Replace the version in place by the file's content, all in ONE transaction."""
        source, rel = task.found.source, task.rel
        assert task.digest is not None
        with _transaction(con):
            audit.forget_file(con, rel, [t.qualified for t in source.tables])
            staged = source.read(con, task.found.path)
            bar.step("landing")
            counts = [land(con, s, LandingContext(self.load_id, rel)) for s in staged]
            outcome = FileOutcome(
                rel,
                source.name,
                FileStatus.LANDED,
                rows_read=sum(c.rows_read for c in counts),
                rows_landed=sum(c.rows_landed for c in counts),
                rows_rejected=sum(c.rows_rejected for c in counts),
                unknown_fields=sorted({f for c in counts for f in c.unknown_fields}),
            )
            audit.record_landed(
                con,
                file_path=rel,
                sha256=task.digest,
                source=source.name,
                source_dir=self.source_dir,
                rows=(outcome.rows_read, outcome.rows_landed, outcome.rows_rejected),
                unknown_fields=outcome.unknown_fields,
                load_id=self.load_id,
            )
            if self.stopping.is_set():  # stopped between two statements: roll back, not commit
                raise duckdb.InterruptException("INTERRUPT Error: the load is being stopped")
            bar.step("committing")
        return outcome

    def land(self, task: _Task) -> FileOutcome:
        """Land one file, or reject it with the version in place kept; never raises Exception."""
        bar: FileProgress | None = None
        try:
            size = 0
            with contextlib.suppress(OSError):
                size = task.found.path.stat().st_size
            bar = FileProgress(task.rel, size, enabled=self.show_bars)
            bar.step("hashing")
            with self.cursor() as con:
                try:
                    bar.step("reading")
                    outcome = self._land_in_transaction(con, task, bar)
                except Exception as error:  # every failure is reported, per file
                    if self.stopping.is_set():
                        raise
                    outcome = self.reject(con, task, self._describe(error))
        except Exception as error:  # outside the transaction (progress bar, connection)
            if self.stopping.is_set():
                raise
            outcome = self._reject_now(task, self._describe(error))
        if bar is not None:
            with contextlib.suppress(Exception):
                bar.done(outcome.status)
        return outcome

    @staticmethod
    def _describe(error: Exception) -> _Reason:
        """The one-line reason a file could not be landed."""
        transient = transient_cause(error)
        if transient is not None:
            return _Reason(transient[1], transient=transient[0])
        if isinstance(error, FileRejected):
            return _Reason(_one_line(error))
        # Not an expected failure: a bug. Keep its traceback for the report.
        traceback.print_exception(error, file=sys.stderr)
        return _Reason(f"internal error ({type(error).__name__}: {_one_line(error)}); report it")

    # --- the plan -----------------------------------------------------------------------

    def hash_all(self, tasks: list[_Task], pool: ThreadPoolExecutor) -> None:
        def one(task: _Task) -> None:
            try:
                task.digest = content_sha256(task.found.path)
            except OSError as error:
                task.read_error = _one_line(error)

        list(pool.map(one, tasks))

    def in_place_elsewhere(self, task: _Task) -> audit.FileRecord | None:
        """Another path whose version in place has this content (and rows), if any."""
        return next(
            (
                record
                for record in self._by_content.get(task.digest or "", [])
                if record.file_path != task.rel
                and record.source == task.found.source.name
                and record.rows_read > 0
            ),
            None,
        )

    def move(self, task: _Task, old: audit.FileRecord) -> FileOutcome:
        source = task.found.source
        with self.cursor() as con:
            try:
                with _transaction(con):
                    rows = audit.move_file(
                        con, old.file_path, task.rel, [t.qualified for t in source.tables],
                        self.load_id,
                    )  # fmt: skip
            except Exception as error:
                return self.reject(con, task, self._describe(error))
        return FileOutcome(
            task.rel,
            source.name,
            FileStatus.MOVED,
            note=f"moved from {old.file_path} ({rows:,} rows re-pointed, nothing landed twice)",
        )

    def restore(self, task: _Task) -> FileOutcome:
        """The file is back to its version in place: mark it landed again, no rows change."""
        with self.cursor() as con:
            try:
                with _transaction(con):
                    audit.restore_landed(con, task.rel, self.load_id)
            except Exception as error:
                return self.reject(con, task, self._describe(error))
        return FileOutcome(task.rel, task.found.source.name, FileStatus.SKIPPED)

    def decide(
        self, task: _Task, present: set[str], claimed: dict[str, str]
    ) -> Callable[[], FileOutcome] | None:
        """What to do with one file right away; None means "land it"."""
        known = self.records.get(task.rel)
        source = task.found.source.name
        if task.found.bad_name:
            return lambda: self._reject_now(
                task,
                _Reason("file name is not valid UTF-8 (shown with \\x escapes): rename the file"),
            )
        if task.read_error is not None:
            return lambda: self._reject_now(task, _Reason(task.read_error or "", transient="read"))
        if known is not None and known.landed_sha256 == task.digest:
            if known.status == FileStatus.LANDED:
                return lambda: FileOutcome(task.rel, source, FileStatus.SKIPPED)
            return lambda: self.restore(task)
        other_dir = self._other_dir_holds(known)
        if other_dir is not None:
            return lambda: self._reject_now(
                task,
                _Reason(
                    f"landed from another source dir, {other_dir}, which still exists:"
                    " a file of another source dir never replaces its rows"
                ),
            )
        elsewhere = self.in_place_elsewhere(task)
        if elsewhere is None:
            return None
        gone = (
            elsewhere.file_path not in present
            if elsewhere.source_dir in (self.source_dir, None)
            else not Path(elsewhere.source_dir).is_dir()  # its source dir was moved away
        )
        if gone and elsewhere.file_path not in claimed:
            claimed[elsewhere.file_path] = task.rel
            return lambda: self.move(task, elsewhere)
        twin = claimed.get(elsewhere.file_path, elsewhere.file_path)
        return lambda: self._reject_now(
            task,
            _Reason(
                f"same content as {twin}, already landed: not landed twice"
                " (delete one of the copies)"
            ),
        )

    def _reject_now(self, task: _Task, reason: _Reason) -> FileOutcome:
        try:
            with self.cursor() as con:
                return self.reject(con, task, reason)
        except Exception as failure:  # no connection at all (the warehouse failed)
            return FileOutcome(
                task.rel,
                task.found.source.name,
                FileStatus.REJECTED,
                error=f"{reason.text} (not recorded in raw_meta.files: {_one_line(failure)})",
            )


def _missing(run: _Run, present: set[str]) -> list[MissingFile]:
    return [
        MissingFile(r.file_path, r.rows_landed, r.missing_since_load_id or run.load_id)
        for r in sorted(run.records.values(), key=lambda r: r.file_path)
        if r.source_dir == run.source_dir and r.file_path not in present
    ]


def _prune(run: _Run, missing: list[MissingFile]) -> tuple[list[MissingFile], list[str]]:
    """Remove the rows and audit rows of missing files (one transaction each)."""
    tables = [t.qualified for s in SOURCES for t in s.tables]
    pruned: list[MissingFile] = []
    errors: list[str] = []
    for file in missing:
        try:
            with _transaction(run.con):
                audit.forget_file(run.con, file.path, tables)
            pruned.append(file)
        except Exception as error:
            errors.append(f"could not prune {file.path}: {_one_line(error)}")
    return pruned, errors


def _shared_months(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[str]]]:
    """Billing months whose lines come from more than one file, with those files."""
    rows = con.execute(
        "select year || '-' || month, list(distinct _source_file order by _source_file)"
        " from raw_billing.invoice_lines group by all"
        " having count(distinct _source_file) > 1 order by 1"
    ).fetchall()
    return [(str(month), list(files)) for month, files in rows]


def _month_checks(
    con: duckdb.DuckDBPyConnection, missing: list[MissingFile]
) -> tuple[list[str], list[str]]:
    """(warnings, conflicts) about invoice months landed from several files.

    Several present files: a warning (a corrected re-export beside the old file
    is counted twice). A missing file among them: a conflict (the old export
    was replaced by a new one, yet its rows still count) that fails the run.
    """
    gone = {m.path for m in missing}
    warnings: list[str] = []
    conflicts: list[str] = []
    for month, files in _shared_months(con):
        old = [f for f in files if f in gone]
        if old:
            conflicts.append(
                f"invoice month {month} is counted from {', '.join(old)}, no longer in the"
                f" source dir, and from {', '.join(f for f in files if f not in gone)}:"
                " load with --prune-missing (or put the file back)"
            )
        else:
            warnings.append(
                f"invoice month {month} comes from {len(files)} files ({', '.join(files)}):"
                " a corrected re-export beside the old file is counted twice; delete the old"
                " file and load with --prune-missing"
            )
    return warnings, conflicts


def _execute(run: _Run, listing_files: list[Found], prune_missing: bool) -> LoadResult:
    """Every step of one run after the load row exists (see the module docstring)."""
    tasks = [_Task(found) for found in listing_files]
    present = {t.rel for t in tasks}
    claimed: dict[str, str] = {}  # old path -> the path its content moved to
    before = audit.table_rows(run.con, RAW_TABLES)
    outcomes: dict[str, FileOutcome] = {}
    pool = ThreadPoolExecutor(max_workers=workers(len(tasks)))
    try:
        run.hash_all(tasks, pool)
        to_land: list[_Task] = []
        first_of: dict[str, str] = {}
        later: list[_Task] = []
        for task in tasks:
            action = run.decide(task, present, claimed)
            if action is not None:
                outcomes[task.rel] = action()
            elif task.digest in first_of:  # a second new copy: after the first landed
                later.append(task)
            else:
                first_of[task.digest or ""] = task.rel
                to_land.append(task)
        # DuckDB reads one JSON array file on one thread; land files side by side
        # (each in its own transaction) to use every core.
        futures: list[Future[FileOutcome]] = [pool.submit(run.land, t) for t in to_land]
        for task, future in zip(to_land, futures, strict=True):
            outcomes[task.rel] = future.result()
        run.reload_records()
        for task in later:
            action = run.decide(task, present, claimed)
            outcomes[task.rel] = action() if action is not None else run.land(task)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        run.interrupt_all()
        pool.shutdown(wait=True)
        raise
    pool.shutdown(wait=True)
    result = LoadResult(run.load_id, [outcomes[t.rel] for t in tasks], 0.0)
    try:
        _bookkeeping(run, result, present, before, prune_missing=prune_missing)
    except (duckdb.Error, OSError) as error:  # the warehouse failed (disk full, ...)
        result.close_error = _one_line(error)
    return result


def _bookkeeping(
    run: _Run,
    result: LoadResult,
    present: set[str],
    before: dict[str, int],
    *,
    prune_missing: bool,
) -> None:
    """After the files: missing files (pruned on request), table volumes, overlap warnings."""
    run.reload_records()
    missing = _missing(run, present)
    if prune_missing:
        result.pruned, errors = _prune(run, missing)
        result.warnings += errors
        missing = [m for m in missing if m not in result.pruned]
    result.missing = missing
    audit.mark_presence(run.con, sorted(present), [m.path for m in missing], run.load_id)
    audit.record_volumes(run.con, run.load_id, before, audit.table_rows(run.con, RAW_TABLES))
    warnings, result.conflicts = _month_checks(run.con, missing)
    result.warnings += warnings


def load_sources(
    source_dir: Path,
    warehouse: Path,
    *,
    max_reject_rate: float,
    lock_timeout: float,
    quiet: bool,
    prune_missing: bool = False,
) -> LoadResult:
    """Land every source file of `source_dir` in `warehouse`; return what happened.

    Prints nothing but the progress bars (when enabled): the caller prints
    `summary(result)` and `result.problem`. The warehouse connection is
    closed when this returns.
    """
    started = time.monotonic()
    if not source_dir.exists():
        raise UserError(f"source dir {source_dir} does not exist")
    if not source_dir.is_dir():
        raise UserError(f"source dir {source_dir} is not a directory")
    if printable(str(source_dir.resolve())) != str(source_dir.resolve()):
        raise UserError(
            f"source dir {printable(str(source_dir))} is not a valid UTF-8 path: rename it"
        )
    listing = discover(source_dir)
    if not listing.files:
        raise UserError(f"no source files in {source_dir} (expected {EXPECTED_FILES})")
    tables = [t for s in SOURCES for t in s.tables]
    label = printable(str(source_dir.resolve()))
    result: LoadResult | None = None
    try:
        with (
            signals_interrupt(),
            open_warehouse(warehouse, tables, lock_timeout=lock_timeout) as con,
        ):
            closed = audit.close_interrupted(con)
            load_id = audit.start_load(con, label)
            run = _Run(con, label, load_id, bars_enabled(quiet))
            try:
                result = _execute(run, listing.files, prune_missing)
            except BaseException as stop:
                stopped = isinstance(stop, KeyboardInterrupt)
                status = LoadStatus.INTERRUPTED if stopped else LoadStatus.FAILED
                with contextlib.suppress(Exception):
                    audit.finish_load(
                        con, load_id, status=status, counts=None, error=_one_line(stop)
                    )
                if isinstance(stop, KeyboardInterrupt):
                    print(f"load {load_id} stopped: closed as interrupted", file=sys.stderr)
                    raise
                if not isinstance(stop, duckdb.Error | OSError):
                    raise
                result = LoadResult(load_id, [], max_reject_rate, close_error=_one_line(stop))
            result.max_reject_rate = max_reject_rate
            result.ignored = listing.ignored
            result.closed_interrupted = closed
            if result.files or result.close_error is None:
                try:
                    audit.finish_load(
                        con,
                        load_id,
                        status=(
                            LoadStatus.SUCCEEDED
                            if result.exit_code == EXIT_OK
                            else LoadStatus.FAILED
                        ),
                        counts=result.counts(),
                        error=result.problem,
                    )
                except (duckdb.Error, OSError) as error:
                    result.close_error = (
                        f"{_one_line(error)} (its raw_meta.loads row is closed as"
                        " interrupted by the next run)"
                    )
    except (duckdb.Error, OSError) as error:  # closing the warehouse failed (disk full, ...)
        if result is None:
            raise UserError(
                f"warehouse {warehouse}: could not start the load: {_one_line(error)}"
            ) from None
        result.close_error = result.close_error or _one_line(error)
    assert result is not None
    result.seconds = time.monotonic() - started
    return result


def print_report(result: LoadResult) -> None:
    """What a command line prints after a load: the summary, then the problem (on stderr)."""
    print(summary(result), flush=True)
    if result.problem:
        print(f"error: {result.problem}", file=sys.stderr, flush=True)


def summary(result: LoadResult) -> str:
    """The end-of-run report: a table of files and rows per source, then one line per event."""
    rows = []
    for source in SOURCES:
        mine = [f for f in result.files if f.source == source.name]
        if not mine:
            continue
        rows.append(
            (
                source.name,
                sum(f.status == FileStatus.LANDED for f in mine),
                sum(f.status in (FileStatus.SKIPPED, FileStatus.MOVED) for f in mine),
                sum(f.status == FileStatus.REJECTED for f in mine),
                sum(f.rows_landed for f in mine),
                sum(f.rows_rejected for f in mine),
            )
        )
    rows.append(
        (
            "total",
            result.count(FileStatus.LANDED),
            result.count(FileStatus.SKIPPED) + result.count(FileStatus.MOVED),
            result.count(FileStatus.REJECTED),
            result.rows_landed,
            result.rows_rejected,
        )
    )
    header = ("source", "landed", "skipped", "rejected", "rows landed", "rows rejected")
    lines = [
        f"load {result.load_id}: {len(result.files)} file(s) in {result.seconds:.1f}s",
        format_table(header, rows),
    ]
    lines += [
        f"closed load {n} as interrupted (it ended without closing its row)"
        for n in result.closed_interrupted
    ]
    for f in result.files:
        if f.unknown_fields:
            lines.append(
                f"unknown fields kept in _extra_fields: {f.path}: {', '.join(f.unknown_fields)}"
            )
        if f.note:
            lines.append(f"{f.status} file: {f.path}: {f.note}")
        if f.error:
            lines.append(f"rejected file: {f.path}: {f.error}")
    lines += [
        f"missing file: {m.path}: not in the source dir since load {m.since_load_id};"
        f" its {m.rows_landed:,} rows are kept (load with --prune-missing to remove them)"
        for m in result.missing
    ]
    lines += [f"pruned file: {m.path}: {m.rows_landed:,} rows removed" for m in result.pruned]
    lines += [f"ignored: {i.rel}: {i.why}" for i in result.ignored]
    lines += [f"warning: {w}" for w in result.warnings]
    lines += [f"conflict: {c}" for c in result.conflicts]
    return "\n".join(lines)
