"""The audit tables in `raw_meta`: one row per load run, per file, per rejected row."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from python_loaders.landing import first_row as _first
from python_loaders.landing import run_sql

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
)

_UTC_NOW = "cast(now() at time zone 'UTC' as timestamp)"


@dataclass(frozen=True)
class FileRecord:
    """What raw_meta.files says about one file."""

    sha256: str
    status: str


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw_meta schema, sequence and tables when missing."""
    for statement in DDL:
        run_sql(con, statement)


def start_load(con: duckdb.DuckDBPyConnection, source_dir: str) -> int:
    """Record a new run as `running`; return its load_id."""
    row = _first(
        con.execute(
            "insert into raw_meta.loads (load_id, started_at, source_dir, status)"
            f" values (nextval('raw_meta.load_id_seq'), {_UTC_NOW}, $1, 'running')"
            " returning load_id",
            [source_dir],
        ).fetchall()
    )
    assert row is not None
    return int(row[0])


def finish_load(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    *,
    succeeded: bool,
    files: tuple[int, int, int],
    rows: tuple[int, int],
) -> None:
    """Close a run: status, file counts (landed, skipped, rejected), row counts."""
    run_sql(
        con,
        f"update raw_meta.loads set finished_at = {_UTC_NOW}, status = $2,"
        " files_landed = $3, files_skipped = $4, files_rejected = $5,"
        " rows_landed = $6, rows_rejected = $7 where load_id = $1",
        [load_id, "succeeded" if succeeded else "failed", *files, *rows],
    )


def file_record(con: duckdb.DuckDBPyConnection, file_path: str) -> FileRecord | None:
    """The last recorded version of a file, if any."""
    row = _first(
        con.execute(
            "select sha256, status from raw_meta.files where file_path = $1", [file_path]
        ).fetchall()
    )
    return FileRecord(row[0], row[1]) if row else None


def forget_file(con: duckdb.DuckDBPyConnection, file_path: str, tables: list[str]) -> None:
    """Delete every row an earlier version of the file landed or rejected."""
    for table in tables:
        run_sql(con, f"delete from {table} where _source_file = $1", [file_path])
    run_sql(con, "delete from raw_meta.rejected_rows where source_file = $1", [file_path])
    run_sql(con, "delete from raw_meta.files where file_path = $1", [file_path])


def record_file(
    con: duckdb.DuckDBPyConnection,
    *,
    file_path: str,
    sha256: str,
    source: str,
    status: str,
    rows: tuple[int, int, int],
    unknown_fields: list[str] | None,
    error: str | None,
    load_id: int,
) -> None:
    """Write the file's row (after `forget_file` removed any earlier one)."""
    run_sql(
        con,
        "insert into raw_meta.files (file_path, sha256, source, status, rows_read,"
        " rows_landed, rows_rejected, unknown_fields, error, load_id, landed_at)"
        f" values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, {_UTC_NOW})",
        [file_path, sha256, source, status, *rows, unknown_fields or None, error, load_id],
    )
