"""The one landing mechanism shared by every source.

A source describes each raw table declaratively (`TableSpec`: columns, types,
required fields, aliases, row checks). A reader exposes a file's records as a
*staged relation*: the file's own field names as VARCHAR columns plus
`_source_row` (a temporary table, or a query straight over DuckDB's JSON
reader). `land()` then turns the spec into SQL that

* maps the file's field names to the spec's columns (lower-cased, aliases
  matched case-insensitively) and keeps unknown fields in `_extra_fields`
  (a field named like a metadata column, e.g. `_source_row`, is an unknown
  field: it never overwrites the loader's own metadata),
* rejects a row in which two fields feed one column (`price` and
  `total_price`, `price` and `Price`, a repeated CSV column) and both hold a
  value: one of them would otherwise be lost without trace,
* types every column with strict, `try_cast`-style parsing (never failing the
  file) and applies each column's plausibility `Rule` (docs/raw_tables.md),
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
# Strict shapes first (DuckDB's own casts also accept `0x10`, `1_000`, `nan`,
# `infinity`, `epoch`, `19-01-05` and timestamps as dates), then the cast.
# A whole number may be written `13` or `13.0` (billing's float ids), never
# `2.5` (a plain cast would round it to 3).
_WHOLE_SHAPE = r"\s*[+-]?[0-9]+(\.0*)?\s*"
_NUMBER_SHAPE = r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*"
_DATE_SHAPE = r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*"
_WHOLE = "case when regexp_full_match({v}, '" + _WHOLE_SHAPE + "') then try_cast({v} as TYPE) end"
_PARSERS: dict[str, str] = {
    "VARCHAR": "{v}",
    "BIGINT": _WHOLE.replace("TYPE", "bigint"),
    "INTEGER": _WHOLE.replace("TYPE", "integer"),
    "DOUBLE": (
        "case when regexp_full_match({v}, '" + _NUMBER_SHAPE + "')"
        " and isfinite(try_cast({v} as double)) then try_cast({v} as double) end"
    ),
    "DATE": (
        "case when regexp_full_match({v}, '" + _DATE_SHAPE + "') then try_cast({v} as date) end"
    ),
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
class Rule:
    """A plausibility rule for one column's parsed value.

    `sql` is a trusted SQL template (written in a source module) over
    `{value}`, the column's typed value (its text for VARCHAR columns); it is
    true for a plausible value (`{value}` is substituted by plain replacement,
    so regular expressions may use braces). It is applied only to a present, parseable
    value; a row whose value breaks it is rejected with `reason`.
    """

    sql: str
    reason: str


@dataclass(frozen=True)
class Column:
    """One column of a raw table: its name, raw type and landing rules."""

    name: str
    type: str = "VARCHAR"
    required: bool = False
    aliases: tuple[str, ...] = ()
    rule: Rule | None = None

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
    c2, ... by position). `rows_read` is counted by the reader; `cleanup`
    (optional SQL) runs after landing. `problem_column` (optional) is a
    VARCHAR column of the relation holding a row problem the reader found (a
    repeated JSON key), NULL when none; `record_column` (optional) holds the
    original record text, kept in rejected_rows instead of the fields.
    """

    spec: TableSpec
    relation: str
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    rows_read: int
    params: dict[str, object] = field(default_factory=dict)
    cleanup: str | None = None
    problem_column: str | None = None
    record_column: str | None = None


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
class FieldGroup:
    """The file's fields feeding one target (a spec column, or one unknown field name)."""

    target: str
    fields: tuple[str, ...]
    columns: tuple[str, ...]  # the stage column of each field


@dataclass(frozen=True)
class FieldMapping:
    """Which fields feed each spec column; the unknown fields, grouped by lower-cased name."""

    sources: dict[str, FieldGroup]
    unknown: tuple[FieldGroup, ...]


def map_fields(spec: TableSpec, staged: Staged) -> FieldMapping:
    """Match a file's field names to the spec's columns, case-insensitively, aliases included.

    Unknown fields (metadata names such as `_source_row` included) are grouped
    by lower-cased name, so `Foo` and `foo` are one extra field.
    """
    by_key: dict[str, str] = {}
    for column in spec.columns:
        for key in (column.name, *column.aliases):
            by_key[key.lower()] = column.name
    known: dict[str, list[tuple[str, str]]] = {c.name: [] for c in spec.columns}
    unknown: dict[str, list[tuple[str, str]]] = {}
    for name, stage_column in zip(staged.fields, staged.columns, strict=True):
        target = by_key.get(name.lower())
        if target is None:
            unknown.setdefault(name.lower(), []).append((name, stage_column))
        else:
            known[target].append((name, stage_column))

    def group(target: str, pairs: list[tuple[str, str]]) -> FieldGroup:
        return FieldGroup(target, tuple(n for n, _ in pairs), tuple(c for _, c in pairs))

    return FieldMapping(
        {k: group(k, v) for k, v in known.items()},
        tuple(group(v[0][0], v) for v in unknown.values()),
    )


def _blank(value: str) -> str:
    """True when NULL, empty or only blanks (trim only runs on the rare blank-led value)."""
    return f"({value} is null or {value} = '' or (ascii({value}) <= 32 and trim({value}) = ''))"


def _raw_expr(names: tuple[str, ...]) -> str:
    """The raw value of a column fed by these stage columns (the first non-blank one)."""
    if not names:
        return "cast(null as varchar)"
    quoted = [quote_ident(n) for n in names]
    if len(quoted) == 1:
        return quoted[0]
    picks = " ".join(f"when not {_blank(q)} then {q}" for q in quoted)
    return f"(case {picks} else coalesce({', '.join(quoted)}) end)"


def _conflict_text(group: FieldGroup, what: str, prefix: str) -> tuple[str, dict[str, str]]:
    """SQL naming the group's fields that hold a value when two or more do (else NULL).

    Field names travel as named parameters `$<prefix><i>`.
    """
    present = [f"not {_blank(quote_ident(c))}" for c in group.columns]
    count = " + ".join(f"cast({p} as integer)" for p in present)
    params = {f"{prefix}{i}": name for i, name in enumerate(group.fields)}
    params[f"{prefix}what"] = f" all hold a value for {what} (one would be lost)"
    names = ", ".join(f"case when {p} then ${prefix}{i} end" for i, p in enumerate(present))
    sql = f"case when ({count}) > 1 then 'fields ' || concat_ws(', ', {names}) || ${prefix}what end"
    return sql, params


def _json_object(pairs: tuple[tuple[str, str], ...], prefix: str) -> tuple[str, dict[str, str]]:
    """`json_object($key_1, expr1, ...)`: field names as named parameters, never as SQL text."""
    params = {f"{prefix}{i}": name for i, (name, _) in enumerate(pairs)}
    args = ", ".join(f"${prefix}{i}, {expr}" for i, (_, expr) in enumerate(pairs))
    return f"json_object({args})", params


def _extra_expr(unknown: tuple[FieldGroup, ...]) -> tuple[str, dict[str, str]]:
    """Unknown fields as a JSON object without its null members; NULL when all are null."""
    if not unknown:
        return "cast(null as json)", {}
    obj, params = _json_object(
        tuple((g.target, _raw_expr(g.columns)) for g in unknown), "extra_key_"
    )
    present = " or ".join(f"{quote_ident(c)} is not null" for g in unknown for c in g.columns)
    return f"case when {present} then json_merge_patch('{{}}', {obj}) end", params


@dataclass(frozen=True)
class _Problem:
    """A rule over the inner query's columns: `condition` is true when the row breaks it."""

    condition: str
    reason: str  # plain text, passed to SQL as a parameter
    reason_sql: str | None = None  # or an SQL expression giving the text


def _conflict_columns(mapping: FieldMapping) -> tuple[list[str], dict[str, str]]:
    """Inner query columns `_conflict_<i>`: a two-fields-one-target conflict text, or NULL."""
    columns: list[str] = []
    params: dict[str, str] = {}
    groups = [(g, f"column {g.target}") for g in mapping.sources.values()]
    groups += [(g, "one extra field") for g in mapping.unknown]
    for group, what in groups:
        if len(group.columns) > 1:
            i = len(columns)
            sql, more = _conflict_text(group, what, f"conflict_{i}_")
            columns.append(f"{sql} as {quote_ident(f'_conflict_{i}')}")
            params.update(more)
    return columns, params


def _problems(spec: TableSpec, conflicts: int, staged: Staged) -> list[_Problem]:
    """Every rule a row must pass, over the inner query's r_<col> (raw) and t_<col> (typed).

    Every condition is a non-NULL boolean that is true when the row breaks the rule.
    """
    problems: list[_Problem] = []
    if staged.problem_column is not None:
        problems.append(_Problem("(_reader_problem is not null)", "", "_reader_problem"))
    for i in range(conflicts):
        column = quote_ident(f"_conflict_{i}")
        problems.append(_Problem(f"({column} is not null)", "", column))
    for column in spec.columns:
        raw, typed = quote_ident(f"r_{column.name}"), quote_ident(f"t_{column.name}")
        if column.required:
            problems.append(_Problem(_blank(raw), f"missing required field {column.name}"))
        if column.type != "VARCHAR":
            problems.append(
                _Problem(
                    f"({typed} is null and not {_blank(raw)})",
                    f"{column.name} is not {_TYPE_WORDS[column.type]}",
                )
            )
        if column.rule is not None:
            rule = column.rule.sql.replace("{value}", typed)
            problems.append(
                _Problem(
                    f"({typed} is not null and not {_blank(raw)} and not coalesce({rule}, false))",
                    column.rule.reason,
                )
            )
    for check in spec.checks:
        raws = {c: quote_ident(f"r_{c}") for c in check.columns}
        present = " and ".join(f"not {_blank(r)}" for r in raws.values())
        problems.append(
            _Problem(f"({present} and ({check.parsed_sql.format(**raws)}) is null)", check.reason)
        )
    return problems


def _reasons(problems: list[_Problem]) -> tuple[str, dict[str, str]]:
    """SQL joining the text of every broken rule with `; `; texts travel as parameters."""
    params: dict[str, str] = {}
    parts = []
    for i, problem in enumerate(problems):
        text = problem.reason_sql
        if text is None:
            params[f"reason_{i}"] = problem.reason
            text = f"$reason_{i}"
        parts.append(f"case when {problem.condition} then {text} end")
    return "concat_ws('; ', " + ", ".join(parts) + ")", params


def land(con: duckdb.DuckDBPyConnection, staged: Staged, ctx: LandingContext) -> TableCounts:
    """Land one staged relation: good rows into the raw table, bad ones into rejected_rows.

    Runs inside the caller's transaction; never commits.
    """
    spec = staged.spec
    mapping = map_fields(spec, staged)
    inner_cols = ["_source_row"]
    if staged.problem_column is not None:
        inner_cols.append(f"{quote_ident(staged.problem_column)} as _reader_problem")
    for column in spec.columns:
        raw = _raw_expr(mapping.sources[column.name].columns)
        inner_cols.append(f"{raw} as {quote_ident('r_' + column.name)}")
        parsed = _PARSERS[column.type].replace("{v}", raw)
        inner_cols.append(f"{parsed} as {quote_ident('t_' + column.name)}")
    conflicts, conflict_params = _conflict_columns(mapping)
    inner_cols += conflicts
    problems = _problems(spec, len(conflicts), staged)
    any_problem = " or ".join(p.condition for p in problems) or "false"

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
                **conflict_params,
                **staged.params,
            },
        )
    )
    rejected = 0
    if landed < staged.rows_read:  # a second pass only for files with bad rows
        if staged.record_column is not None:
            record, record_params = quote_ident(staged.record_column), {}
        elif staged.fields:
            pairs = tuple(
                (name, quote_ident(col))
                for name, col in zip(staged.fields, staged.columns, strict=True)
            )
            record, record_params = _json_object(pairs, "record_key_")
        else:
            record, record_params = "'{}'", {}
        reason, reason_params = _reasons(problems)
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
                    **reason_params,
                    **conflict_params,
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
    unknown = [name for group in mapping.unknown for name in group.fields]
    return TableCounts(spec.label, staged.rows_read, landed, rejected, unknown)


def _count(cursor: duckdb.DuckDBPyConnection) -> int:
    row = first_row(cursor.fetchall())
    return int(row[0]) if row else 0
