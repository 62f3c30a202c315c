"""File-format readers: expose a file's records as VARCHAR columns plus `_source_row`.

Each reader returns `Staged` relations for `landing.land()`, or raises
`FileRejected` (one line) when the file cannot be parsed at all. JSON and CSV
go through DuckDB's own readers (`read_json_objects`, `read_csv`), each file
read once into a temporary stage table, never row by row in Python; SQLite
goes through the standard library in batches handed to DuckDB as Arrow tables
(DuckDB's sqlite extension is not available offline).
Whole-document checks DuckDB does not make (a JSON array cut off at end of
file, mixed CSV line endings) and the one-line explanations of a rejected
file live in `json_document` and `csv_document`. Stage columns are named c1,
c2, ... by position, so a source field named like a metadata column stays
an ordinary field.

`_source_row` is the record's position in the file: `row_number() over ()`
directly over the reader, in the statement that creates the stage table,
which DuckDB evaluates in scan order (the warehouse
connection also keeps `preserve_insertion_order` on); tests check record k of
multi-megabyte JSON and CSV files lands as row k.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa

from python_loaders.ingestion.csv_document import (
    CsvDocumentError,
    delimiter_hint,
    explain_csv_error,
    header_fields,
)
from python_loaders.ingestion.json_document import (
    JsonDocumentError,
    check_json_document,
    locate_json_error,
)
from python_loaders.ingestion.landing import Staged
from python_loaders.ingestion.spec import TableSpec
from python_loaders.ingestion.sql import first_row as _first
from python_loaders.ingestion.sql import quote_ident, run_sql

SQLITE_BATCH_ROWS = 50_000
#: DuckDB's limit on one JSON record (read_json's maximum_object_size, in MB).
MAX_JSON_OBJECT_MB = 16
NOT_UTF8 = "not valid UTF-8 text (wrong encoding, e.g. UTF-16 or Latin-1?)"
_stage_counter = itertools.count(1)


class FileRejected(Exception):
    """The file cannot be parsed at all; the message says why (one line)."""


def _stage_name() -> str:
    return f"_stage_{next(_stage_counter)}"


def _first_line(error: BaseException) -> str:
    """DuckDB's error as one line: its headline (plus the cause line of a CSV error)."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    head = lines[0].removeprefix("Invalid Input Error: ")
    if head.startswith("CSV Error"):
        cause = next((x for x in lines[1:] if not x.startswith("Original Line")), "")
        head = f"{head}: {cause}" if cause else head
    return head


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = _first(con.execute(f"select count(*) from {quote_ident(table)}").fetchall())
    return int(row[0]) if row else 0


def read_json_array(con: duckdb.DuckDBPyConnection, path: Path, spec: TableSpec) -> list[Staged]:
    """A file holding one complete JSON array of flat objects: every key kept, as VARCHAR.

    The document's shape is checked first (`check_json_document`: DuckDB's
    reader would land the records before a cut). Then ONE read of the file
    (`read_json_objects`, which only splits the array into records) puts
    every record's text and number in a temporary table; everything else is
    derived from that table, never from the file again: every key of every
    record (no sample: a key first seen in the last record is found), the
    record count, and the typed rows (each record's values by JSON pointer,
    one parse per record for all its keys). Keys differing only in case are
    distinct fields; a repeated key rejects its record (landing.py).
    """
    try:
        check_json_document(path)
    except JsonDocumentError as error:
        raise FileRejected(str(error)) from None
    stage = quote_ident(_stage_name())
    try:
        run_sql(
            con,
            f"create temp table {stage} as select row_number() over () as _source_row,"
            " json as _record from read_json_objects($path, format = 'array')",
            {"path": str(path)},
        )
        found = _key_lists(con, stage)
        if any(not key_list for key_list, _ in found) and _has_non_object(con, stage):
            raise FileRejected("an element of the JSON array is not an object")
        rows = sum(n for _, n in found)
        # Column order: the most common record's key order, then any other key.
        ordered = list(dict.fromkeys(max(found, key=lambda group: group[1])[0])) if found else []
        ordered += sorted({k for key_list, _ in found for k in key_list} - set(ordered))
        repeated = any(len(set(key_list)) < len(key_list) for key_list, _ in found)
        return [_json_relation(stage, spec, ordered, rows, repeated)]
    except duckdb.Error as error:
        raise FileRejected(_json_error(path, error)) from None
    except UnicodeDecodeError:  # DuckDB quoted the file's undecodable bytes in its error
        raise FileRejected(NOT_UTF8) from None


def _key_lists(con: duckdb.DuckDBPyConnection, stage: str) -> list[tuple[list[str], int]]:
    """Every distinct key list of the stage's records, with its record count.

    Grouping by a list costs more than computing it, and a file has only a few
    distinct key lists, nearly every record having the same one: records whose
    list equals the first record's are only counted, the others grouped by
    their list (exact: list equality, no hash). A record whose keys are SQL
    NULL is kept as an empty list (`_has_non_object` then looks at it).
    """
    probe = _first(con.execute(f"select json_keys(_record) from {stage} limit 1").fetchall())
    if probe is None:
        return []
    rows = con.execute(
        "select keys = $probe as same, case when keys = $probe then null else keys end, count(*)"
        f" from (select json_keys(_record) as keys from {stage}) group by all",
        {"probe": probe[0]},
    ).fetchall()
    return [(list(probe[0]) if same else list(keys or []), int(n)) for same, keys, n in rows]


def _json_error(path: Path, error: duckdb.Error) -> str:
    """One line for a JSON file DuckDB rejected: where the error is, in file terms."""
    message = _first_line(error)
    if "UTF-8" in message:
        return NOT_UTF8
    if "maximum_object_size" in message:
        return (
            "a JSON record is larger than DuckDB's maximum JSON object size"
            f" ({MAX_JSON_OBJECT_MB} MB, read_json's maximum_object_size): split the record"
        )
    place = locate_json_error(path)
    if place is not None:
        return place.describe()
    # DuckDB's byte offset is relative to its buffer, not the file: leave it out.
    message = re.sub(r' in file "(?:[^"]|"")*"', "", message)
    return re.sub(r"at byte \d+ in record/value", "in record/value", message)


def _has_non_object(con: duckdb.DuckDBPyConnection, stage: str) -> bool:
    """Whether an element is not an object (json_keys gives [] for both `{}` and `1`)."""
    found = con.execute(
        f"select count(*) from {stage} where json_type(_record) <> 'OBJECT'"
    ).fetchall()
    return bool(found and found[0][0])


def _json_pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


# A record's repeated keys, as the reason its row is rejected (NULL when none).
_REPEATED_KEYS = (
    "case when len(keys) > len(list_distinct(keys)) then 'field '"
    " || array_to_string(list_sort(list_filter(list_distinct(keys),"
    " lambda k: len(list_filter(keys, lambda j: j = k)) > 1)), ', ')"
    " || ' appears more than once in the record (one value would be lost)' end"
)


def _json_relation(
    stage: str, spec: TableSpec, keys: list[str], rows: int, repeated: bool
) -> Staged:
    """The staged relation over the stage table of a JSON file with these keys and records.

    Its columns are `_source_row`, `_record` (the record's text, kept for a
    rejected row) and c1, c2, ... (one per key, by position, extracted by
    JSON pointer), so a key named like a metadata column (`_source_row`)
    stays an ordinary field. Only a file with a repeated key (in the key
    lists already found) pays a second parse per record, to name it.
    """
    columns = tuple(f"c{i + 1}" for i in range(len(keys)))
    picks = "".join(f", v[{i + 1}] as {quote_ident(c)}" for i, c in enumerate(columns))
    values = ", json_extract_string(_record, $pointers) as v" if keys else ""
    problem = None
    if repeated:
        values += ", json_keys(_record) as keys"
        picks += f", {_REPEATED_KEYS} as _repeated_keys"
        problem = "_repeated_keys"
    relation = (
        f"(select _source_row, _record{picks}"
        f" from (select _source_row, _record{values} from {stage}))"
    )
    params: dict[str, object] = {"pointers": [_json_pointer(k) for k in keys]} if keys else {}
    return Staged(
        spec,
        relation,
        tuple(keys),
        columns,
        rows,
        params,
        cleanup=f"drop table {stage}",
        problem_column=problem,
        record_column="_record",
    )


def read_csv_file(con: duckdb.DuckDBPyConnection, path: Path, spec: TableSpec) -> list[Staged]:
    """Stage a comma-separated file with a header row; every column VARCHAR, blank = NULL.

    The dialect is fixed (no sniffing: DuckDB's sniffer can mistake a ragged row
    for the header and silently skip the rows above it); a row with the wrong
    number of fields rejects the file. Lines may end with `\n`, `\r\n` or `\r`
    (one kind per file). Stage columns are c1, c2, ... by position.
    """
    if path.stat().st_size == 0:
        raise FileRejected("empty file (expected a CSV header row)")
    try:
        header, header_line = header_fields(path)
    except CsvDocumentError as error:
        raise FileRejected(str(error)) from None
    _check_delimiter(spec, header, header_line)
    columns = tuple(f"c{i + 1}" for i in range(len(header)))
    stage = _stage_name()
    try:
        run_sql(
            con,
            f"create temp table {quote_ident(stage)} as"
            " select row_number() over () as _source_row, *"
            " from read_csv($path, header = true, auto_detect = false, columns = $columns,"
            " delim = ',', quote = '\"', escape = '\"', strict_mode = true,"
            " encoding = 'utf-8')",
            {"path": str(path), "columns": dict.fromkeys(columns, "VARCHAR")},
        )
    except duckdb.Error as error:
        raise FileRejected(explain_csv_error(path, len(header)) or _first_line(error)) from None
    except UnicodeDecodeError:
        raise FileRejected(NOT_UTF8) from None
    target = quote_ident(stage)
    return [
        Staged(
            spec, target, tuple(header), columns, _rows(con, stage), cleanup=f"drop table {target}"
        )
    ]


def _check_delimiter(spec: TableSpec, header: list[str], header_line: str) -> None:
    """Reject a file whose header names no known column but looks split by another delimiter."""
    known = {k.lower() for c in spec.columns for k in (c.name, *c.aliases)}
    if any(name.strip().lower() in known for name in header):
        return
    hint = delimiter_hint(header_line)
    if hint is not None:
        raise FileRejected(
            f"the header names none of the expected columns and looks {hint}-delimited;"
            " the loader reads comma-separated files only"
        )


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def _sqlite_batches(
    db: sqlite3.Connection, table: str, columns: list[str], order: str
) -> Iterator[pa.Table]:
    names = ", ".join(quote_ident(c) for c in columns)
    cursor = db.execute(f"select {names} from {quote_ident(table)} order by {order}")
    row_number = 0
    while batch := cursor.fetchmany(SQLITE_BATCH_ROWS):
        numbers = list(range(row_number + 1, row_number + len(batch) + 1))
        row_number += len(batch)
        arrays = [pa.array(numbers, pa.int64())]
        arrays += [pa.array([_text(r[i]) for r in batch], pa.string()) for i in range(len(columns))]
        yield pa.Table.from_arrays(arrays, names=["_source_row", *_positional(len(columns))])


def _positional(count: int) -> list[str]:
    """Stage column names c1, c2, ...: a source column named `_source_row` stays a field."""
    return [f"c{i + 1}" for i in range(count)]


def read_sqlite_tables(
    con: duckdb.DuckDBPyConnection, path: Path, specs: dict[str, TableSpec]
) -> list[Staged]:
    """Stage the named tables (SQLite name, case-insensitive -> spec) of a SQLite file.

    Rows are numbered in `generated_id` order (rowid order when that column is absent).
    """
    uri = path.resolve().as_uri() + "?mode=ro"
    staged: list[Staged] = []
    try:
        db = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise FileRejected(f"not a readable SQLite database: {_first_line(error)}") from None
    try:
        tables = {
            name.lower(): name
            for (name,) in db.execute("select name from sqlite_master where type = 'table'")
        }
        missing = [t for t in specs if t.lower() not in tables]
        if missing:
            raise FileRejected(f"SQLite database has no table {', '.join(missing)}")
        for wanted, spec in specs.items():
            table = tables[wanted.lower()]
            columns = [row[1] for row in db.execute(f"pragma table_info({quote_ident(table)})")]
            order = next((quote_ident(c) for c in columns if c.lower() == "generated_id"), "rowid")
            stage = _stage_name()
            empty = pa.schema(
                [("_source_row", pa.int64())]
                + [(c, pa.string()) for c in _positional(len(columns))]
            )
            con.register("sqlite_empty", empty.empty_table())
            run_sql(con, f"create temp table {quote_ident(stage)} as select * from sqlite_empty")
            con.unregister("sqlite_empty")
            for batch in _sqlite_batches(db, table, columns, order):
                con.register("sqlite_batch", batch)
                run_sql(con, f"insert into {quote_ident(stage)} select * from sqlite_batch")
                con.unregister("sqlite_batch")
            names = tuple(c.lower() for c in columns)
            target = quote_ident(stage)
            staged.append(
                Staged(
                    spec,
                    target,
                    names,
                    tuple(_positional(len(columns))),
                    _rows(con, stage),
                    cleanup=f"drop table {target}",
                )
            )
    except sqlite3.Error as error:
        raise FileRejected(f"not a readable SQLite database: {_first_line(error)}") from None
    except duckdb.Error as error:
        raise FileRejected(_first_line(error)) from None
    finally:
        db.close()
    return staged
