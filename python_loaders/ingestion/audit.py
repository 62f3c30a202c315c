"""The audit tables in `raw_meta`: one row per load run, per file, per rejected row,
and the row count of every raw table after every run.

`raw_meta.files` holds each file's latest state: `sha256` is the version last
seen in the source dir (the one `status` is about), `landed_sha256` the
version whose rows are in the raw tables (NULL when none). They differ when a
changed file was rejected and its previous version was kept. `rows_read`,
`rows_landed` and `rows_rejected` always describe the version in place, so
`rows_landed` equals the file's row count in the raw tables.

Older warehouses are upgraded in place (`alter table ... add column if not
exists`), so a warehouse landed by an earlier loader keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from python_loaders.ingestion.sql import first_row as _first
from python_loaders.ingestion.sql import run_sql
from python_loaders.ingestion.states import FileStatus, LoadStatus

# The states as SQL literals (trusted constants; the values stored in raw_meta).
_LANDED = f"'{FileStatus.LANDED}'"
_REJECTED = f"'{FileStatus.REJECTED}'"
_RUNNING = f"'{LoadStatus.RUNNING}'"
_INTERRUPTED = f"'{LoadStatus.INTERRUPTED}'"

DDL: tuple[str, ...] = (
    "create schema if not exists raw_meta",
    "create sequence if not exists raw_meta.load_id_seq start 1",
    """create table if not exists raw_meta.loads (
        load_id bigint primary key,
        started_at timestamp not null,
        finished_at timestamp,
        source_dir varchar not null,
        status varchar not null,
        files_landed bigint,
        files_skipped bigint,
        files_rejected bigint,
        rows_landed bigint,
        rows_rejected bigint
    )""",
    """create table if not exists raw_meta.files (
        file_path varchar primary key,
        sha256 varchar not null,
        source varchar not null,
        status varchar not null,
        rows_read bigint not null,
        rows_landed bigint not null,
        rows_rejected bigint not null,
        unknown_fields varchar[],
        error varchar,
        load_id bigint not null,
        landed_at timestamp not null
    )""",
    """create table if not exists raw_meta.rejected_rows (
        load_id bigint not null,
        source_file varchar not null,
        source_row bigint not null,
        table_name varchar not null,
        reason varchar not null,
        record varchar
    )""",
    """create table if not exists raw_meta.table_volumes (
        load_id bigint not null,
        table_name varchar not null,
        rows_before bigint not null,
        rows bigint not null,
        primary key (load_id, table_name)
    )""",
    # Columns added after the first release (older warehouses get them here).
    "alter table raw_meta.loads add column if not exists files_moved bigint",
    "alter table raw_meta.loads add column if not exists files_missing bigint",
    "alter table raw_meta.loads add column if not exists files_pruned bigint",
    "alter table raw_meta.loads add column if not exists files_ignored bigint",
    "alter table raw_meta.loads add column if not exists error varchar",
    "alter table raw_meta.files add column if not exists landed_sha256 varchar",
    "alter table raw_meta.files add column if not exists source_dir varchar",
    "alter table raw_meta.files add column if not exists moved_from varchar",
    "alter table raw_meta.files add column if not exists missing_since_load_id bigint",
    # Back-fill the added columns of rows an earlier loader wrote.
    "update raw_meta.files set landed_sha256 = sha256"
    f" where landed_sha256 is null and status = {_LANDED}",
    "update raw_meta.files as f set source_dir = l.source_dir from raw_meta.loads as l"
    " where f.source_dir is null and f.load_id = l.load_id",
)

_UTC_NOW = "cast(now() at time zone 'UTC' as timestamp)"


@dataclass(frozen=True)
class FileRecord:
    """What raw_meta.files says about one file."""

    file_path: str
    sha256: str
    source: str
    status: str
    landed_sha256: str | None
    source_dir: str | None
    rows_read: int
    rows_landed: int
    missing_since_load_id: int | None


@dataclass(frozen=True)
class LoadCounts:
    """The file and row counts a finished run records."""

    landed: int
    skipped: int
    rejected: int
    moved: int
    missing: int
    pruned: int
    ignored: int
    rows_landed: int
    rows_rejected: int


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or upgrade) the raw_meta schema, sequence and tables."""
    for statement in DDL:
        run_sql(con, statement)


def close_interrupted(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Close runs left `running` by a killed process as `interrupted`; return their ids.

    Called by the writer, which holds the warehouse lock: no other run can be live.
    """
    rows = run_sql(
        con,
        f"update raw_meta.loads set status = {_INTERRUPTED}, finished_at = {_UTC_NOW},"
        " error = 'the run ended without closing its load row (killed or crashed);"
        " each file is either fully landed or untouched'"
        f" where status = {_RUNNING} returning load_id",
    )
    return sorted(int(r[0]) for r in rows)  # type: ignore[call-overload]


def start_load(con: duckdb.DuckDBPyConnection, source_dir: str) -> int:
    """Record a new run as `running`; return its load_id."""
    row = _first(
        con.execute(
            "insert into raw_meta.loads (load_id, started_at, source_dir, status)"
            f" values (nextval('raw_meta.load_id_seq'), {_UTC_NOW}, $1, {_RUNNING})"
            " returning load_id",
            [source_dir],
        ).fetchall()
    )
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


def finish_load(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    *,
    status: str,
    counts: LoadCounts | None,
    error: str | None,
) -> None:
    """Close a run: `succeeded`, `failed` or `interrupted`, with its counts and error line."""
    values: list[object] = [load_id, status, error]
    assignments = ""
    if counts is not None:
        assignments = (
            ", files_landed = $4, files_skipped = $5, files_rejected = $6, files_moved = $7,"
            " files_missing = $8, files_pruned = $9, files_ignored = $10,"
            " rows_landed = $11, rows_rejected = $12"
        )
        values += [
            counts.landed,
            counts.skipped,
            counts.rejected,
            counts.moved,
            counts.missing,
            counts.pruned,
            counts.ignored,
            counts.rows_landed,
            counts.rows_rejected,
        ]
    run_sql(
        con,
        f"update raw_meta.loads set finished_at = {_UTC_NOW}, status = $2, error = $3"
        f"{assignments} where load_id = $1",
        values,
    )


def file_records(con: duckdb.DuckDBPyConnection) -> dict[str, FileRecord]:
    """Every file raw_meta.files knows, by path."""
    rows = con.execute(
        "select file_path, sha256, source, status, landed_sha256, source_dir, rows_read,"
        " rows_landed,"
        " missing_since_load_id from raw_meta.files"
    ).fetchall()
    return {r[0]: FileRecord(*r) for r in rows}


def forget_file(con: duckdb.DuckDBPyConnection, file_path: str, tables: Iterable[str]) -> None:
    """Delete every row a version of the file landed or rejected, and its audit row."""
    for table in tables:
        run_sql(con, f"delete from {table} where _source_file = $1", [file_path])
    run_sql(con, "delete from raw_meta.rejected_rows where source_file = $1", [file_path])
    run_sql(con, "delete from raw_meta.files where file_path = $1", [file_path])


def record_landed(
    con: duckdb.DuckDBPyConnection,
    *,
    file_path: str,
    sha256: str,
    source: str,
    source_dir: str,
    rows: tuple[int, int, int],
    unknown_fields: list[str] | None,
    load_id: int,
    moved_from: str | None = None,
) -> None:
    """Write the row of a version that just landed (after `forget_file` removed any earlier one)."""
    run_sql(
        con,
        "insert into raw_meta.files (file_path, sha256, source, status, rows_read,"
        " rows_landed, rows_rejected, unknown_fields, error, load_id, landed_at,"
        " landed_sha256, source_dir, moved_from, missing_since_load_id)"
        f" values ($1, $2, $3, {_LANDED}, $4, $5, $6, $7, null, $8, {_UTC_NOW}, $2, $9, $10, null)",
        [file_path, sha256, source, *rows, unknown_fields or None, load_id, source_dir, moved_from],
    )


def record_rejected(
    con: duckdb.DuckDBPyConnection,
    *,
    file_path: str,
    sha256: str,
    source: str,
    source_dir: str,
    error: str,
    load_id: int,
    keep_source_dir: bool,
) -> None:
    """Mark the file's latest version rejected; the version in place (if any) stays, untouched.

    `keep_source_dir`: the rows in place came from another source dir, which stays recorded.
    """
    run_sql(
        con,
        "insert into raw_meta.files (file_path, sha256, source, status, rows_read,"
        " rows_landed, rows_rejected, unknown_fields, error, load_id, landed_at,"
        " landed_sha256, source_dir, moved_from, missing_since_load_id)"
        f" values ($1, $2, $3, {_REJECTED}, 0, 0, 0, null, $4, $5, {_UTC_NOW}, null, $6,"
        " null, null)"
        " on conflict (file_path) do update set sha256 = excluded.sha256,"
        f" status = {_REJECTED}, error = excluded.error, load_id = excluded.load_id,"
        " missing_since_load_id = null"
        + ("" if keep_source_dir else ", source_dir = excluded.source_dir"),
        [file_path, sha256, source, error, load_id, source_dir],
    )


def restore_landed(con: duckdb.DuckDBPyConnection, file_path: str, load_id: int) -> None:
    """The file is back to the version in place (after a rejected change): mark it landed."""
    run_sql(
        con,
        f"update raw_meta.files set sha256 = landed_sha256, status = {_LANDED}, error = null,"
        " load_id = $2 where file_path = $1",
        [file_path, load_id],
    )


def move_file(
    con: duckdb.DuckDBPyConnection,
    old_path: str,
    new_path: str,
    tables: Iterable[str],
    load_id: int,
) -> int:
    """Re-point the rows landed from `old_path` to `new_path` (same content); return their count.

    The rows get this run's `_load_id`, so incremental models rebuild them with the new
    path. Anything recorded under `new_path` before (an older file of that name) is
    removed first.
    """
    tables = list(tables)
    forget_file(con, new_path, tables)
    moved = 0
    for table in tables:
        row = _first(
            run_sql(
                con,
                f"update {table} set _source_file = $2, _load_id = $3 where _source_file = $1",
                [old_path, new_path, load_id],
            )
        )
        moved += int(row[0]) if row else 0  # type: ignore[call-overload]
    run_sql(
        con,
        "update raw_meta.rejected_rows set source_file = $2 where source_file = $1",
        [old_path, new_path],
    )
    run_sql(
        con,
        f"update raw_meta.files set file_path = $2, moved_from = $1, status = {_LANDED},"
        " sha256 = landed_sha256, error = null, load_id = $3, missing_since_load_id = null"
        " where file_path = $1",
        [old_path, new_path, load_id],
    )
    return moved


def mark_presence(
    con: duckdb.DuckDBPyConnection, present: list[str], missing: list[str], load_id: int
) -> None:
    """Clear `missing_since_load_id` of files seen; set it (once) on files now missing."""
    if present:
        run_sql(
            con,
            "update raw_meta.files set missing_since_load_id = null"
            " where missing_since_load_id is not null and list_contains($1, file_path)",
            [present],
        )
    if missing:
        run_sql(
            con,
            "update raw_meta.files set missing_since_load_id = $2"
            " where missing_since_load_id is null and list_contains($1, file_path)",
            [missing, load_id],
        )


def table_rows(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> dict[str, int]:
    """Row count of each raw table (`schema.name`)."""
    counts: dict[str, int] = {}
    for table in tables:
        schema, name = table.split(".")
        row = _first(run_sql(con, f'select count(*) from "{schema}"."{name}"'))
        counts[table] = int(row[0]) if row else 0  # type: ignore[call-overload]
    return counts


def record_volumes(
    con: duckdb.DuckDBPyConnection, load_id: int, before: dict[str, int], after: dict[str, int]
) -> None:
    """One raw_meta.table_volumes row per raw table: its rows before and after this run."""
    for table, rows in after.items():
        run_sql(
            con,
            "insert or replace into raw_meta.table_volumes (load_id, table_name, rows_before, rows)"
            " values ($1, $2, $3, $4)",
            [load_id, table, before.get(table, rows), rows],
        )
