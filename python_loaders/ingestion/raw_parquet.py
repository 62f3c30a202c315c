"""Export the landed raw tables as Parquet datasets, for engines other than DuckDB (Spark).

The loaders land every file exactly once into DuckDB (``raw_crm.*``,
``raw_streaming.*``, ``raw_billing.*``, ``raw_meta.*``); this module copies
that landed state, unchanged, to one Parquet dataset per raw table:

    <parquet root>/<schema>/<table>/_load_id=<n>/data_0.parquet   (raw source tables)
    <parquet root>/<schema>/<table>/data_0.parquet                (raw_meta audit tables)
    <parquet root>/raw_catalog.parquet                            (the tables exported)

Guarantees kept from the loaders:

- one consistent state: every table is read inside one DuckDB transaction, so
  the datasets are the warehouse as of one moment (after a load, never half of one);
- all or nothing: every table is first written to a staging folder
  (``<root>/.export-*``); only when all are written does each dataset replace
  its predecessor by rename, the catalog last. A failed export (locked
  warehouse, full disk, ...) leaves the previous datasets exactly as they
  were; a killed one at worst leaves stray ``.export-*`` / ``.<table>.old-*``
  folders (ignored by readers, removed by the next export);
- nothing reinterpreted: the files hold the raw tables' own columns and
  types (``_load_id`` included in the files, the folder layout only groups
  them), so a reader sees exactly what dbt reads in DuckDB.

Source tables are partitioned by ``_load_id``: one folder per load run. At
scale the same layout goes to object storage (``s3://.../raw_billing/invoice_lines/
_load_id=42/``), where a load writes only its own new partition and rewrites
the few older partitions whose files it replaced; this local export rewrites
the whole dataset each time (seconds for 10M lines), which is simpler and
always equal to the warehouse. The Spark side registers each dataset as an
external table (macros/cross_db/register_raw_tables.sql).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from python_loaders.common.errors import UserError
from python_loaders.common.warehouse import connect

RAW_SCHEMAS: tuple[str, ...] = ("raw_crm", "raw_streaming", "raw_billing", "raw_meta")
PARTITION_COLUMN = "_load_id"
CATALOG_NAME = "raw_catalog.parquet"
DEFAULT_PARQUET_DIR = Path("data") / "raw_parquet"


@dataclass(frozen=True)
class ExportedTable:
    """One raw table written as a Parquet dataset."""

    schema: str
    table: str
    rows: int
    partitioned: bool

    @property
    def name(self) -> str:
        return f"{self.schema}.{self.table}"


def default_parquet_dir() -> Path:
    """The export root: $AAVAIL_RAW_PARQUET, else data/raw_parquet."""
    return Path(os.environ.get("AAVAIL_RAW_PARQUET") or DEFAULT_PARQUET_DIR)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, bool]]:
    """(schema, table, has _load_id) of every raw table, in name order."""
    rows = con.execute(
        f"""
        select
            t.table_schema,
            t.table_name,
            bool_or(c.column_name = {_literal(PARTITION_COLUMN)}) as has_load_id
        from information_schema.tables as t
        inner join information_schema.columns as c
            on t.table_schema = c.table_schema and t.table_name = c.table_name
        where t.table_schema in ({", ".join(_literal(s) for s in RAW_SCHEMAS)})
            and t.table_type = 'BASE TABLE'
        group by all
        order by 1, 2
        """
    ).fetchall()
    return [(schema, table, bool(has_load_id)) for schema, table, has_load_id in rows]


def _write_dataset(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, partitioned: bool, target: Path
) -> int:
    """Write one table to a fresh folder `target`; return its row count."""
    relation = f"{_quote(schema)}.{_quote(table)}"
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    target.mkdir(parents=True)
    if partitioned and rows:
        options = (
            f"format parquet, partition_by ({_quote(PARTITION_COLUMN)}),"
            " write_partition_columns true"
        )
        con.execute(f"copy (select * from {relation}) to {_literal(str(target))} ({options})")
    else:
        # one file, also when empty: the file carries the schema readers need
        con.execute(
            f"copy (select * from {relation}) to"
            f" {_literal(str(target / 'data_0.parquet'))} (format parquet)"
        )
    return int(rows)


def _replace_dir(new: Path, final: Path) -> None:
    """Put folder `new` at `final`, replacing an existing one (two renames, then cleanup)."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
    new.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _stage(con: duckdb.DuckDBPyConnection, stage: Path) -> list[ExportedTable]:
    """Write every raw table under `stage`/<schema>/<table>/ (one DuckDB snapshot)."""
    exported = []
    for schema, table, partitioned in _raw_tables(con):
        rows = _write_dataset(con, schema, table, partitioned, stage / schema / table)
        exported.append(ExportedTable(schema, table, rows, partitioned))
    return exported


def export_raw_parquet(
    warehouse: Path, out_dir: Path, *, lock_timeout: float = 30.0
) -> list[ExportedTable]:
    """Write every raw table of `warehouse` as a Parquet dataset under `out_dir`.

    Every dataset is first written to a staging folder inside `out_dir`; only
    when all are written does each replace its predecessor (a rename), and the
    catalog last. Raises UserError (one line) when the warehouse is missing or
    locked, or a folder cannot be written: the datasets already in `out_dir`
    then stay exactly as they were.
    """
    if not warehouse.is_file():
        raise UserError(f"warehouse {warehouse} does not exist (run `load` first)")
    out_dir = out_dir.expanduser().resolve()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for stray in out_dir.glob(".export-*"):  # left by a killed export
            shutil.rmtree(stray, ignore_errors=True)
        stage = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir))
    except OSError as error:
        raise UserError(f"cannot write Parquet exports to {out_dir}: {error.strerror}") from None
    try:
        con = connect(warehouse, lock_timeout=lock_timeout)
        try:
            con.execute("begin transaction")  # one snapshot of every raw table
            exported = _stage(con, stage)
            if not exported:
                raise UserError(f"warehouse {warehouse} has no raw tables (run `load` first)")
            _write_catalog(con, stage, exported)
            con.execute("commit")
        except duckdb.Error as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise UserError(f"cannot export raw tables of {warehouse}: {first_line}") from None
        finally:
            con.close()
        try:
            for item in exported:
                (out_dir / item.schema).mkdir(exist_ok=True)
                for stray in (out_dir / item.schema).glob(f".{item.table}.old-*"):
                    shutil.rmtree(stray, ignore_errors=True)
                _replace_dir(stage / item.schema / item.table, out_dir / item.schema / item.table)
            os.replace(stage / CATALOG_NAME, out_dir / CATALOG_NAME)
        except OSError as error:
            raise UserError(
                f"cannot write Parquet exports to {out_dir}: {error.strerror}"
            ) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return exported


def _write_catalog(
    con: duckdb.DuckDBPyConnection, out_dir: Path, exported: list[ExportedTable]
) -> None:
    """`raw_catalog.parquet` in `out_dir`: one row per exported table.

    The Spark hook reads it to know which datasets to register, so a raw
    table the loaders add later is registered without changing the project.
    """
    values = ", ".join(
        f"({_literal(item.schema)}, {_literal(item.table)}, {item.rows}, {item.partitioned})"
        for item in exported
    )
    con.execute(
        "copy (select * from (values "
        + values
        + ") as t(table_schema, table_name, row_count, is_partitioned_by_load))"
        f" to {_literal(str(out_dir / CATALOG_NAME))} (format parquet)"
    )


def summary(exported: list[ExportedTable], out_dir: Path) -> str:
    """One line: how many tables and rows were exported, and where."""
    rows = sum(item.rows for item in exported)
    return f"exported {len(exported)} raw tables ({rows:,} rows) as Parquet to {out_dir}"
