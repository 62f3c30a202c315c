"""The one landing mechanism shared by every source.

A source describes each raw table declaratively (`TableSpec`: columns, types,
required fields, aliases, row checks). A reader exposes a file's records as a
*staged relation*: the file's own field names as VARCHAR columns plus
`_source_row` (a temporary table, or a query straight over DuckDB's JSON
reader). `land()` then turns the spec into SQL that

* maps the file's field names to the spec's columns (lower-cased, aliases
  matched case-insensitively) and keeps unknown fields in `_extra_fields`,
* types every column with `try_cast`-style parsing (never failing the file),
* inserts the rows that pass every check into the raw table, and
* inserts every other row into `raw_meta.rejected_rows` with the reason and
  the original record as JSON text (a second pass, run only when needed),

so that for every file rows read = rows landed + rows rejected. Values, file
names and field names travel as query parameters; field names reach SQL text
only as quoted identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

# How a VARCHAR value `{v}` becomes each raw type; NULL means "not parseable".
# DuckDB's casts accept surrounding blanks; a fraction is not a whole number
# (a plain cast would round 2.5 to 3).
_WHOLE = (
    "case when contains({v}, '.') then try_cast(case when try_cast({v} as double)"
    " = trunc(try_cast({v} as double)) then try_cast({v} as double) end as {t})"
    " else try_cast({v} as {t}) end"
)
_PARSERS: dict[str, str] = {
    "VARCHAR": "{v}",
    "BIGINT": _WHOLE.replace("{t}", "bigint"),
    "INTEGER": _WHOLE.replace("{t}", "integer"),
    "DOUBLE": "try_cast({v} as double)",
    "DATE": "try_cast({v} as date)",
}

_TYPE_WORDS: dict[str, str] = {
    "BIGINT": "a whole number",
    "INTEGER": "a whole number",
    "DOUBLE": "a number",
    "DATE": "a real date",
}

#: Columns every raw table carries after the source's own columns.
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", "BIGINT"),
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
    ("_extra_fields", "JSON"),
)


def run_sql(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[object] | dict[str, object] | None = None,
) -> list[tuple[object, ...]]:
    """Execute one statement and fetch its result (DuckDB 2 wants results consumed)."""
    return con.execute(sql, params if params is not None else []).fetchall()


def first_row(rows: list[tuple[object, ...]]) -> tuple[object, ...] | None:
    """The first row of a fetched result, or None."""
    return rows[0] if rows else None


def quote_ident(name: str) -> str:
    """A SQL identifier for any name: double-quoted, inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Column:
    """One column of a raw table: its name, raw type and landing rules."""

    name: str
    type: str = "VARCHAR"
    required: bool = False
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in _PARSERS:
            raise ValueError(f"unsupported raw type {self.type!r} for column {self.name!r}")


@dataclass(frozen=True)
class RowCheck:
    """A validity rule over raw (VARCHAR) values, applied when all its columns are present.

    `parsed_sql` is a trusted SQL template (written in the source module) with
    `{column}` placeholders for the columns' raw values; it must give NULL
    exactly when the row breaks the rule.
    """

    columns: tuple[str, ...]
    parsed_sql: str
    reason: str


@dataclass(frozen=True)
class TableSpec:
    """A raw table: `schema.name`, its columns and its row checks."""

    schema: str
    name: str
    columns: tuple[Column, ...]
    checks: tuple[RowCheck, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.name)}"

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"

    def create_sql(self) -> str:
        """DDL for the raw table (idempotent)."""
        cols = [f"{quote_ident(c.name)} {c.type}" for c in self.columns]
        cols += [f"{quote_ident(n)} {t}" for n, t in META_COLUMNS]
        return f"create table if not exists {self.qualified} ({', '.join(cols)})"


@dataclass(frozen=True)
class Staged:
    """A file's records for one raw table, as a relation of VARCHAR columns + `_source_row`.

    `relation` is SQL usable in FROM (a quoted temporary table, or a subquery
    over a file reader taking `params`). `fields` are the file's own field
    names; `columns` the relation's column for each (the same names, or c1,
    c2, ... where names cannot be DuckDB columns). `rows_read` is counted by
    the reader; `cleanup` (optional SQL) runs after landing.
    """

    spec: TableSpec
    relation: str
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    rows_read: int
    params: dict[str, object] = field(default_factory=dict)
    cleanup: str | None = None


@dataclass(frozen=True)
class LandingContext:
    """What every landed row is stamped with."""

    load_id: int
    source_file: str


@dataclass
class TableCounts:
    """Outcome of landing one stage table."""

    table: str
    rows_read: int = 0
    rows_landed: int = 0
    rows_rejected: int = 0
    unknown_fields: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FieldMapping:
    """Which stage columns feed each spec column; which (field, column) pairs are unknown."""

    sources: dict[str, tuple[str, ...]]
    unknown: tuple[tuple[str, str], ...]


def map_fields(spec: TableSpec, staged: Staged) -> FieldMapping:
    """Match a file's field names to the spec's columns, case-insensitively, aliases included."""
    by_key: dict[str, str] = {}
    for column in spec.columns:
        for key in (column.name, *column.aliases):
            by_key[key.lower()] = column.name
    sources: dict[str, list[str]] = {c.name: [] for c in spec.columns}
    unknown: list[tuple[str, str]] = []
    for name, stage_column in zip(staged.fields, staged.columns, strict=True):
        target = by_key.get(name.lower())
        if target is None:
            unknown.append((name, stage_column))
        else:
            sources[target].append(stage_column)
    return FieldMapping({k: tuple(v) for k, v in sources.items()}, tuple(unknown))


def _raw_expr(names: tuple[str, ...]) -> str:
    if not names:
        return "cast(null as varchar)"
    if len(names) == 1:
        return quote_ident(names[0])
    return "coalesce(" + ", ".join(quote_ident(n) for n in names) + ")"


def _json_object(pairs: tuple[tuple[str, str], ...], prefix: str) -> tuple[str, dict[str, str]]:
    """`json_object($key_1, col1, ...)`: field names as named parameters, never as SQL text."""
    params = {f"{prefix}{i}": name for i, (name, _) in enumerate(pairs)}
    args = ", ".join(f"${prefix}{i}, {quote_ident(col)}" for i, (_, col) in enumerate(pairs))
    return f"json_object({args})", params


def _extra_expr(unknown: tuple[tuple[str, str], ...]) -> tuple[str, dict[str, str]]:
    """Unknown fields as a JSON object without its null members; NULL when all are null."""
    if not unknown:
        return "cast(null as json)", {}
    obj, params = _json_object(unknown, "extra_key_")
    present = " or ".join(f"{quote_ident(column)} is not null" for _, column in unknown)
    return f"case when {present} then json_merge_patch('{{}}', {obj}) end", params


def _blank(value: str) -> str:
    """True when NULL, empty or only blanks (trim only runs on the rare blank-led value)."""
    return f"({value} is null or {value} = '' or (ascii({value}) <= 32 and trim({value}) = ''))"


def _problems(spec: TableSpec) -> list[tuple[str, str]]:
    """(condition, reason) per rule, over the inner query's r_<col> (raw) and t_<col> (typed).

    Every condition is a non-NULL boolean that is true when the row breaks the rule.
    """
    problems: list[tuple[str, str]] = []
    for column in spec.columns:
        raw, typed = quote_ident(f"r_{column.name}"), quote_ident(f"t_{column.name}")
        if column.required:
            problems.append((_blank(raw), f"missing required field {column.name}"))
        if column.type != "VARCHAR":
            problems.append(
                (
                    f"({typed} is null and not {_blank(raw)})",
                    f"{column.name} is not {_TYPE_WORDS[column.type]}",
                )
            )
    for check in spec.checks:
        raws = {c: quote_ident(f"r_{c}") for c in check.columns}
        present = " and ".join(f"not {_blank(r)}" for r in raws.values())
        problems.append(
            (f"({present} and ({check.parsed_sql.format(**raws)}) is null)", check.reason)
        )
    return problems


def land(con: duckdb.DuckDBPyConnection, staged: Staged, ctx: LandingContext) -> TableCounts:
    """Land one staged relation: good rows into the raw table, bad ones into rejected_rows.

    Runs inside the caller's transaction; never commits.
    """
    spec = staged.spec
    mapping = map_fields(spec, staged)
    inner_cols = ["_source_row"]
    for column in spec.columns:
        raw = _raw_expr(mapping.sources[column.name])
        inner_cols.append(f"{raw} as {quote_ident('r_' + column.name)}")
        parsed = _PARSERS[column.type].format(v=raw)
        inner_cols.append(f"{parsed} as {quote_ident('t_' + column.name)}")
    problems = _problems(spec)
    any_problem = " or ".join(cond for cond, _ in problems) or "false"

    extra, extra_params = _extra_expr(mapping.unknown)
    target_cols = [quote_ident(c.name) for c in spec.columns] + [
        quote_ident(n) for n, _ in META_COLUMNS
    ]
    typed = [quote_ident(f"t_{c.name}") for c in spec.columns]
    landed_row = [*typed, "$load_id", "$source_file", "_source_row", "$loaded_at", "_extra"]
    insert_good = (
        f"insert into {spec.qualified} ({', '.join(target_cols)}) "
        f"select {', '.join(landed_row)} from ("
        f"select {', '.join(inner_cols)}, {extra} as _extra from {staged.relation}"
        f") where not ({any_problem})"
    )
    loaded_at = first_row(
        con.execute("select cast(now() at time zone 'UTC' as timestamp)").fetchall()
    )
    landed = _count(
        con.execute(
            insert_good,
            {
                "load_id": ctx.load_id,
                "source_file": ctx.source_file,
                "loaded_at": loaded_at[0] if loaded_at else None,
                **extra_params,
                **staged.params,
            },
        )
    )
    rejected = 0
    if landed < staged.rows_read:  # a second pass only for files with bad rows
        pairs = tuple(zip(staged.fields, staged.columns, strict=True))
        record, record_params = _json_object(pairs, "record_key_") if pairs else ("'{}'", {})
        reason = (
            "concat_ws('; ', "
            + ", ".join(f"case when {cond} then '{text}' end" for cond, text in problems)
            + ")"
        )
        insert_bad = (
            "insert into raw_meta.rejected_rows "
            "(load_id, source_file, source_row, table_name, reason, record) "
            f"select $load_id, $source_file, _source_row, $table_name, {reason}, _record from ("
            f"select {', '.join(inner_cols)}, cast({record} as varchar) as _record"
            f" from {staged.relation}) where {any_problem}"
        )
        rejected = _count(
            con.execute(
                insert_bad,
                {
                    "load_id": ctx.load_id,
                    "source_file": ctx.source_file,
                    "table_name": spec.label,
                    **record_params,
                    **staged.params,
                },
            )
        )
    if landed + rejected != staged.rows_read:
        raise RuntimeError(
            f"{ctx.source_file}: {spec.label} read {staged.rows_read} rows but landed"
            f" {landed} and rejected {rejected}"
        )
    if staged.cleanup:
        run_sql(con, staged.cleanup)
    unknown = [name for name, _ in mapping.unknown]
    return TableCounts(spec.label, staged.rows_read, landed, rejected, unknown)


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    row = first_row(cursor.fetchall())
    return int(row[0]) if row else 0
