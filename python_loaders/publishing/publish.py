"""`publish`: write-audit-publish of the last green dbt build for readers.

The build warehouse (`data/warehouse.duckdb`) is the pipeline's private
workspace. Readers get a separate, read-only copy, the published warehouse
(default `data/analytics.duckdb`), and Parquet exports beside it:

1. Audit. The build is the one in dbt's `run_results.json` (`target/`, or
   `$DBT_TARGET_PATH`). It is published only when it is a `dbt build` with no
   error, failed test or skipped node (warnings allowed) that built every
   `marts` and `ml` model of its manifest, and when the warehouse's own build
   record (`raw_meta.dbt_invocations`, written by the `record_build` hooks)
   names that invocation as its latest model-writing dbt command, finished.
   So a failed, killed, partial or stale build, or a build of another
   warehouse, publishes nothing: one line, exit 1, the previous publication
   untouched.
2. Write. One process attaches the private warehouse read-only and copies
   every `marts` and `ml` relation of the manifest, as tables, into a new
   DuckDB file beside the old one, minus the columns marked personal in the
   model YAML (`config: {meta: {personal_data: true}}` or the tag
   `personal_data`). `meta.publication` (one row) and `meta.publication_tables`
   (one row per table) say which build, which loads, how many rows. Then
   CHECKPOINT and close, and the Parquet exports of the same tables go to a
   new versioned folder `exports/publications/<version>/` (each file written
   under a temporary name and renamed), with its manifest.
3. Publish. `os.replace` swaps the new file in under the published name: a
   reader connected to the old file keeps its consistent view (the old inode)
   until it reconnects; a new connection sees the new file; nobody ever sees
   a half-written file or a mix. Then the `exports/current` symlink and
   `exports/manifest.json` are swapped (each with one rename); the previous
   export folder is kept for readers still on it, older ones are removed.

Readers never block this: publishing never opens the published file for
writing. The published file and exports are readable by the owner's group
(0640 files, 0750 folders); the private warehouse is owner-only (see
`python_loaders.common.permissions`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from python_loaders.common.errors import UserError
from python_loaders.common.permissions import SHARED_DIR_MODE, SHARED_FILE_MODE

PUBLISHED_SCHEMAS: tuple[str, ...] = ("marts", "ml")
PERSONAL_DATA = "personal_data"
EXIT_NOT_PUBLISHED = 1
EXIT_LOCKED = 3
BAD_STATUSES = frozenset({"error", "fail", "skipped", "runtime error"})
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<holder>.*?)(?:\. See also|$)")
_RETRY_SECONDS = 0.2


@dataclass(frozen=True)
class Build:
    """The dbt build read from run_results.json and manifest.json."""

    invocation_id: str
    generated_at: str
    dbt_version: str
    relations: dict[tuple[str, str], frozenset[str]]  # (schema, table) -> personal columns


@dataclass(frozen=True)
class Publication:
    """What `publish` put in front of readers."""

    analytics: Path
    invocation_id: str
    published_at: str
    build_generated_at: str
    load_ids: tuple[int, ...]
    row_counts: dict[str, int]
    removed_columns: dict[str, tuple[str, ...]]
    exports_manifest: Path
    already_published: bool = False


def default_target_dir(project_dir: Path) -> Path:
    """dbt's target folder: $DBT_TARGET_PATH (relative to the project), else project/target."""
    configured = os.environ.get("DBT_TARGET_PATH")
    return project_dir / configured if configured else project_dir / "target"


def exports_dir(analytics: Path) -> Path:
    """The Parquet exports folder beside the published file: `<analytics dir>/exports`."""
    return analytics.parent / "exports"


class NotPublished(UserError):
    """The build cannot be published (failed, partial, stale, missing); nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(f"nothing published: {message}", exit_code=EXIT_NOT_PUBLISHED)


class NotABuild(NotPublished):
    """The last dbt command in the target folder was not `dbt build`."""


def _read_json(path: Path, what: str) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotPublished(f"no {what} at {path} (run `dbt build` first)") from None
    except (OSError, ValueError) as error:
        raise NotPublished(f"cannot read {what} {path}: {error}") from None


def _is_personal(column: dict) -> bool:
    config = column.get("config") or {}
    meta = {**(column.get("meta") or {}), **(config.get("meta") or {})}
    tags = set(column.get("tags") or []) | set(config.get("tags") or [])
    return bool(meta.get(PERSONAL_DATA)) or PERSONAL_DATA in tags


def personal_columns(node: dict) -> frozenset[str]:
    """Lower-cased names of the node's columns marked personal in its YAML."""
    columns = node.get("columns") or {}
    return frozenset(name.lower() for name, column in columns.items() if _is_personal(column))


def audit_build(target_dir: Path) -> Build:
    """The last dbt command's run_results.json, if it is a complete, passed `dbt build`."""
    run_results = _read_json(target_dir / "run_results.json", "dbt run_results.json")
    metadata = run_results.get("metadata") or {}
    invocation = str(metadata.get("invocation_id") or "")
    command = (run_results.get("args") or {}).get("which")
    if command != "build":
        raise NotABuild(
            f"the last dbt command in {target_dir} was `dbt {command}`, not `dbt build`"
            " (run `dbt build`, then publish)"
        )
    results = run_results.get("results") or []
    bad = [r for r in results if r.get("status") in BAD_STATUSES]
    if bad:
        shown = ", ".join(f"{r['unique_id']} {r['status']}" for r in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        raise NotPublished(f"dbt build {invocation} did not pass ({shown}{more})")
    manifest = _read_json(target_dir / "manifest.json", "dbt manifest.json")
    if (manifest.get("metadata") or {}).get("invocation_id") != invocation:
        raise NotPublished(f"{target_dir}/manifest.json is not from build {invocation}")
    built = {r["unique_id"] for r in results if r.get("status") == "success"}
    relations: dict[tuple[str, str], frozenset[str]] = {}
    missing = []
    for unique_id, node in (manifest.get("nodes") or {}).items():
        config = node.get("config") or {}
        if node.get("resource_type") != "model" or node.get("schema") not in PUBLISHED_SCHEMAS:
            continue
        if not config.get("enabled", True) or config.get("materialized") == "ephemeral":
            continue
        if unique_id not in built:
            missing.append(unique_id)
        relations[(node["schema"], node.get("alias") or node["name"])] = personal_columns(node)
    if missing:
        raise NotPublished(
            f"dbt build {invocation} did not build {len(missing)} published model(s)"
            f" ({', '.join(sorted(missing)[:3])}); run a full `dbt build`"
        )
    return Build(
        invocation_id=invocation,
        generated_at=str(metadata.get("generated_at") or ""),
        dbt_version=str(metadata.get("dbt_version") or ""),
        relations=relations,
    )


def _attach_read_only(
    con: duckdb.DuckDBPyConnection, warehouse: Path, *, lock_timeout: float
) -> None:
    """ATTACH the private warehouse read-only as `private`, waiting a bounded time on a writer."""
    if not warehouse.is_file():
        raise NotPublished(f"warehouse {warehouse} does not exist")
    deadline = time.monotonic() + max(lock_timeout, 0.0)
    literal = str(warehouse).replace("'", "''")
    while True:
        try:
            con.execute(f"attach '{literal}' as private (read_only)")
            return
        except duckdb.Error as error:
            message = str(error)
            holder = _LOCK_HOLDER.search(message)
            if holder is None and "lock" not in message.lower():
                first = message.strip().splitlines()[0] if message.strip() else type(error).__name__
                raise UserError(f"cannot open warehouse {warehouse}: {first}") from None
            if time.monotonic() >= deadline:
                who = holder.group("holder").strip() if holder else "another process"
                raise UserError(
                    f"warehouse {warehouse} is locked by {who}; gave up after {lock_timeout:g}s",
                    exit_code=EXIT_LOCKED,
                ) from None
            time.sleep(_RETRY_SECONDS)


def _latest_dbt_command(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str, str]:
    """(invocation_id, command, status, started_at) of the attached warehouse's latest dbt run."""
    has_record = con.execute(
        "select count(*) from duckdb_tables()"
        " where database_name = 'private' and schema_name = 'raw_meta'"
        " and table_name = 'dbt_invocations'"
    ).fetchall()[0][0]
    if not has_record:
        raise NotPublished(
            "the warehouse has no dbt build record (raw_meta.dbt_invocations): run `dbt build`"
        )
    rows = con.execute(
        "select invocation_id, command, status, cast(started_at as varchar)"
        " from private.raw_meta.dbt_invocations order by started_at desc limit 1"
    ).fetchall()
    if not rows:
        raise NotPublished("the warehouse records no dbt build")
    invocation, command, status, started_at = rows[0]
    return str(invocation), str(command), str(status), str(started_at)


def _check_warehouse_built_by(con: duckdb.DuckDBPyConnection, build: Build) -> str:
    """Fail unless the warehouse's latest model-writing dbt command is this finished build."""
    invocation, command, status, started_at = _latest_dbt_command(con)
    if invocation != build.invocation_id:
        raise NotPublished(
            f"the warehouse's latest dbt command is `dbt {command}` {invocation} ({status}),"
            f" not the build {build.invocation_id} in run_results.json"
        )
    if status != "success":
        raise NotPublished(f"dbt build {invocation} is recorded as {status} in the warehouse")
    return started_at


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def _copy_relation(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, personal: frozenset[str]
) -> tuple[int, tuple[str, ...]]:
    """Copy private.schema.table (minus personal columns) with its comments; (rows, removed)."""
    columns = con.execute(
        "select column_name, comment from duckdb_columns()"
        " where database_name = 'private' and schema_name = $1 and table_name = $2"
        " order by column_index",
        [schema, table],
    ).fetchall()
    if not columns:
        raise NotPublished(
            f"dbt build lists {schema}.{table} but the warehouse has no such relation"
        )
    kept = [(name, comment) for name, comment in columns if name.lower() not in personal]
    removed = tuple(name for name, _ in columns if name.lower() in personal)
    target = f"{_quote(schema)}.{_quote(table)}"
    select_list = ", ".join(_quote(name) for name, _ in kept)
    con.execute(f"create table {target} as select {select_list} from private.{target}")
    comment = con.execute(
        "select comment from duckdb_tables() where database_name = 'private'"
        " and schema_name = $1 and table_name = $2"
        " union all select comment from duckdb_views() where database_name = 'private'"
        " and schema_name = $1 and view_name = $2",
        [schema, table],
    ).fetchall()
    if comment and comment[0][0]:
        con.execute(f"comment on table {target} is {_text(comment[0][0])}")
    for name, column_comment in kept:
        if column_comment:
            con.execute(f"comment on column {target}.{_quote(name)} is {_text(column_comment)}")
    rows = con.execute(f"select count(*) from {target}").fetchall()[0][0]
    return int(rows), removed


def _load_ids(con: duckdb.DuckDBPyConnection, build_started_at: str) -> tuple[int, ...]:
    """Load runs finished before the build started: every landed row the build read."""
    rows = con.execute(
        "select load_id from private.raw_meta.loads"
        " where finished_at is not null and finished_at <= cast($1 as timestamp)"
        " order by load_id",
        [build_started_at],
    ).fetchall()
    return tuple(int(row[0]) for row in rows)


META_DDL = (
    "create schema meta",
    """create table meta.publication (
        published_at timestamp not null,
        invocation_id varchar not null,
        build_started_at timestamp not null,
        build_generated_at timestamp not null,
        dbt_version varchar not null,
        load_ids bigint[] not null,
        num_tables integer not null
    )""",
    """create table meta.publication_tables (
        schema_name varchar not null,
        table_name varchar not null,
        row_count bigint not null,
        removed_personal_columns varchar[] not null,
        primary key (schema_name, table_name)
    )""",
    "comment on table meta.publication is 'The build this file was published from (one row).'",
    "comment on table meta.publication_tables is"
    " 'Each published table: row count and the personal columns left out.'",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_exports(
    con: duckdb.DuckDBPyConnection, folder: Path, version: str, manifest: dict
) -> list[dict]:
    """COPY every published table to `folder/<schema>/<table>.parquet` (temp name, rename)."""
    files = []
    for entry in manifest["tables"]:
        schema, table = entry["schema"], entry["table"]
        (folder / schema).mkdir(exist_ok=True)
        os.chmod(folder / schema, SHARED_DIR_MODE)
        final = folder / schema / f"{table}.parquet"
        partial = final.with_name(f".{final.name}.partial")
        literal = str(partial).replace("'", "''")
        con.execute(f"copy {_quote(schema)}.{_quote(table)} to '{literal}' (format parquet)")
        os.chmod(partial, SHARED_FILE_MODE)
        os.replace(partial, final)
        files.append(
            {
                "schema": schema,
                "table": table,
                "path": f"publications/{version}/{schema}/{table}.parquet",
                "rows": entry["rows"],
                "sha256": _sha256(final),
            }
        )
    return files


def _write_json(path: Path, payload: dict) -> None:
    """Write JSON under a temporary name beside `path`, then rename it over `path`."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    os.chmod(partial, SHARED_FILE_MODE)
    os.replace(partial, path)


def _swap_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` in one rename (a reader resolves either the old or the new)."""
    partial = link.with_name(f".{link.name}.partial")
    partial.unlink(missing_ok=True)
    partial.symlink_to(target)
    os.replace(partial, link)


def _prune_exports(publications: Path, keep: set[str | None]) -> None:
    """Remove export folders other than the current one and the one before it."""
    for folder in publications.iterdir():
        if folder.is_dir() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _publish_lock(analytics: Path) -> Iterator[None]:
    """One publisher at a time per published file (an flock on a file beside it)."""
    lock_path = analytics.with_name(f".{analytics.name}.publish-lock")
    with lock_path.open("a") as handle:
        os.chmod(lock_path, SHARED_FILE_MODE)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_publication(analytics: Path) -> dict | None:
    """meta.publication of the published file as a dict, or None when there is none."""
    if not analytics.is_file():
        return None
    try:
        with duckdb.connect(str(analytics), read_only=True) as con:
            cursor = con.execute("select * from meta.publication")
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
    except duckdb.Error:
        return None
    return dict(zip(names, rows[0], strict=True)) if rows else None


def _group_can_enter(folder: Path) -> None:
    """Create the published file's folder 0750, or add group r-x to our own existing one.

    `load` and `run` create `data/` under the private umask (0700); without group
    access to the folder the analysts could not reach the 0640 published file.
    """
    if not folder.is_dir():
        folder.mkdir(parents=True)
        os.chmod(folder, SHARED_DIR_MODE)
        return
    info = folder.stat()
    group_rx = stat.S_IRGRP | stat.S_IXGRP
    if info.st_uid == os.getuid() and info.st_mode & group_rx != group_rx:
        os.chmod(folder, stat.S_IMODE(info.st_mode) | group_rx)


def _write_publication(
    warehouse: Path,
    scratch: Path,
    folder: Path,
    build: Build,
    published_at: datetime,
    *,
    lock_timeout: float,
) -> dict:
    """Write the new published file `scratch` and export folder `folder`; return the manifest."""
    scratch.unlink(missing_ok=True)
    # Row order inside a table carries no meaning; not preserving it lets DuckDB copy in parallel.
    con = duckdb.connect(str(scratch), config={"preserve_insertion_order": False})
    try:
        _attach_read_only(con, warehouse, lock_timeout=lock_timeout)
        build_started_at = _check_warehouse_built_by(con, build)
        load_ids = _load_ids(con, build_started_at)
        for statement in (*(f"create schema {s}" for s in PUBLISHED_SCHEMAS), *META_DDL):
            con.execute(statement)
        tables = []
        for (schema, table), personal in sorted(build.relations.items()):
            rows, removed = _copy_relation(con, schema, table, personal)
            tables.append(
                {"schema": schema, "table": table, "rows": rows,
                 "removed_personal_columns": list(removed)}
            )  # fmt: skip
            con.execute(
                "insert into meta.publication_tables values ($1, $2, $3, $4)",
                [schema, table, rows, list(removed)],
            )
        con.execute(
            "insert into meta.publication values ($1, $2, $3, $4, $5, $6, $7)",
            [published_at, build.invocation_id, build_started_at,
             build.generated_at.rstrip("Z"), build.dbt_version, list(load_ids), len(tables)],
        )  # fmt: skip
        con.execute("detach private")
        con.execute("checkpoint")
        manifest = {
            "version": folder.name,
            "invocation_id": build.invocation_id,
            "published_at": published_at.isoformat() + "Z",
            "build_generated_at": build.generated_at,
            "load_ids": list(load_ids),
            "tables": tables,
        }
        for path in (folder.parent.parent, folder.parent, folder):
            path.mkdir(exist_ok=True)
            os.chmod(path, SHARED_DIR_MODE)
        manifest["files"] = _write_exports(con, folder, folder.name, manifest)
        _write_json(folder / "manifest.json", manifest)
        return manifest
    finally:
        con.close()


def _publication(analytics: Path, manifest: dict, *, already_published: bool) -> Publication:
    return Publication(
        analytics=analytics,
        invocation_id=manifest["invocation_id"],
        published_at=manifest["published_at"],
        build_generated_at=manifest["build_generated_at"],
        load_ids=tuple(manifest["load_ids"]),
        row_counts={f"{t['schema']}.{t['table']}": t["rows"] for t in manifest["tables"]},
        removed_columns={
            f"{t['schema']}.{t['table']}": tuple(t["removed_personal_columns"])
            for t in manifest["tables"]
        },
        exports_manifest=exports_dir(analytics) / "manifest.json",
        already_published=already_published,
    )


def _read_manifest(exports: Path) -> dict | None:
    try:
        return json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _published_latest_build(
    warehouse: Path, analytics: Path, *, lock_timeout: float
) -> Publication | None:
    """The current publication, when it is of the warehouse's latest dbt command (green)."""
    current = read_publication(analytics)
    manifest = _read_manifest(exports_dir(analytics))
    if current is None or manifest is None:
        return None
    with duckdb.connect(":memory:") as con:
        _attach_read_only(con, warehouse, lock_timeout=lock_timeout)
        invocation, _, status, _ = _latest_dbt_command(con)
    if status != "success" or not (
        invocation == current["invocation_id"] == manifest.get("invocation_id")
    ):
        return None
    return _publication(analytics, manifest, already_published=True)


def publish(
    warehouse: Path,
    analytics: Path,
    *,
    project_dir: Path,
    target_dir: Path | None = None,
    lock_timeout: float = 30.0,
) -> Publication:
    """Publish the last green build of `warehouse` to `analytics` and its Parquet exports.

    Raises `UserError` (exit 1) and changes nothing when the build did not
    pass or is not the warehouse's latest; when that build is already
    published, returns that publication (`already_published`) unchanged.
    """
    warehouse = warehouse.expanduser().resolve()
    analytics = analytics.expanduser().resolve()
    try:
        build = audit_build(target_dir or default_target_dir(project_dir))
    except NotABuild:
        # e.g. `dbt docs generate` ran after the build: fine if that build is already published
        existing = _published_latest_build(warehouse, analytics, lock_timeout=lock_timeout)
        if existing is None:
            raise
        return existing
    if not build.relations:  # a dbt project without marts or ml models (not this one's)
        return Publication(
            analytics=analytics, invocation_id=build.invocation_id, published_at="",
            build_generated_at=build.generated_at, load_ids=(), row_counts={},
            removed_columns={}, exports_manifest=exports_dir(analytics) / "manifest.json",
        )  # fmt: skip
    try:
        _group_can_enter(analytics.parent)
    except OSError as error:
        raise UserError(f"cannot create {analytics.parent}: {error.strerror}") from None
    exports = exports_dir(analytics)
    with _publish_lock(analytics):
        current = read_publication(analytics)
        previous = _read_manifest(exports)
        if (
            current is not None
            and previous is not None
            and current["invocation_id"] == build.invocation_id == previous.get("invocation_id")
        ):
            return _publication(analytics, previous, already_published=True)
        published_at = datetime.now(UTC).replace(tzinfo=None)
        version = f"{published_at:%Y%m%dT%H%M%S%f}Z-{build.invocation_id[:8]}"
        scratch = analytics.with_name(f".{analytics.name}.{version}.partial")
        folder = exports / "publications" / version
        try:
            manifest = _write_publication(
                warehouse, scratch, folder, build, published_at, lock_timeout=lock_timeout
            )
            os.chmod(scratch, SHARED_FILE_MODE)
            os.replace(scratch, analytics)  # the one step readers see
        except BaseException:
            for leftover in (scratch, scratch.with_name(scratch.name + ".wal")):
                leftover.unlink(missing_ok=True)
            shutil.rmtree(folder, ignore_errors=True)
            raise
        _swap_symlink(exports / "current", f"publications/{version}")
        _write_json(exports / "manifest.json", manifest)
        keep = {version, (previous or {}).get("version")}
        _prune_exports(exports / "publications", keep)
    return _publication(analytics, manifest, already_published=False)


def describe(publication: Publication) -> str:
    """One line for the terminal: what was published, from which build."""
    if not publication.row_counts:
        return (
            f"nothing to publish: dbt build {publication.invocation_id} has no marts or ml models"
        )
    rows = sum(publication.row_counts.values())
    removed = sum(len(columns) for columns in publication.removed_columns.values())
    state = "already published" if publication.already_published else "published"
    return (
        f"{state} dbt build {publication.invocation_id} to {publication.analytics}:"
        f" {len(publication.row_counts)} tables, {rows:,} rows, {removed} personal columns"
        f" left out; Parquet exports in {publication.exports_manifest.parent}"
    )
