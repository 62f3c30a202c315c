"""The one landing mechanism shared by every source.

A source describes each raw table declaratively (`spec.TableSpec`: columns,
types, required fields, aliases, row checks). A reader exposes a file's
records as a *staged relation* (`Staged`): the file's own field names as
VARCHAR columns plus `_source_row`. `land()` then turns the spec into SQL, in
named steps:

1. `map_fields`: match the file's field names to the spec's columns
   (lower-cased, aliases matched case-insensitively); unknown fields are kept
   in `_extra_fields` (a field named like a metadata column, e.g.
   `_source_row`, is an unknown field: it never overwrites the loader's own
   metadata);
2. `plan_landing`: one inner query per row: each column's raw text, whether
   it is present (not blank), its typed value (strict, `try_cast`-style
   parsing that never fails the file), the two-fields-one-target conflicts (`price`
   and `total_price`, `price` and `Price`, a repeated CSV column, both
   holding a value: one would be lost without trace), and every problem
   (required, type, plausibility `Rule`, `RowCheck`) as a boolean;
3. `_insert_good_rows`: the rows with no problem into the raw table;
4. `_insert_rejected_rows` (only when some rows did not land): every other
   row into `raw_meta.rejected_rows`, with every reason and the original record;
5. `_check_every_row_counted`: rows read = rows landed + rows rejected, or the
   file's transaction fails.

Values, file names and field names travel as query parameters; field names
reach SQL text only as quoted identifiers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb

from python_loaders.ingestion.spec import META_COLUMNS, RAW_TYPES, TableSpec
from python_loaders.ingestion.sql import first_row, quote_ident, run_sql

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
assert set(_PARSERS) == set(RAW_TYPES), "every raw type needs a parser"

_TYPE_WORDS: dict[str, str] = {
    "BIGINT": "a whole number",
    "INTEGER": "a whole number",
    "DOUBLE": "a number",
    "DATE": "a real date",
}


@dataclass(frozen=True)
class Staged:
    """A file's records for one raw table, as a relation of VARCHAR columns + `_source_row`.

    `relation` is SQL usable in FROM (a quoted temporary table, or a subquery
    over one taking `params`). `fields` are the file's own field names;
    `columns` the relation's column for each (c1, c2, ... by position).
    `rows_read` is counted by the reader; `cleanup` (optional SQL) runs after
    landing. `problem_column` (optional) is a VARCHAR column of the relation
    holding a row problem the reader found (a repeated JSON key), NULL when
    none; `record_column` (optional) holds the original record text, kept in
    rejected_rows instead of the fields.
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
    """True when NULL, empty or only blanks (trim only runs on the rare blank-led value).

    `value < '!'` (a byte-wise comparison) is true exactly for the empty text
    and a text whose first byte is a control character or a space (a UTF-8
    multi-byte character starts at 0xC2 or above): one comparison where
    `= ''` and `ascii() <= 32` were two (measured: 8x less CPU per column).
    """
    return f"({value} is null or ({value} < '!' and trim({value}) = ''))"


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
    """A rule over the checked row's columns: `condition` is true when the row breaks it."""

    condition: str  # a non-NULL boolean
    reason: str  # plain text, passed to SQL as a parameter
    reason_sql: str | None = None  # or an SQL expression giving the text


def _conflict_columns(mapping: FieldMapping) -> tuple[list[str], dict[str, str]]:
    """Raw-row columns `_conflict_<i>`: a two-fields-one-target conflict text, or NULL."""
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


def _raw(name: str) -> str:
    return quote_ident(f"r_{name}")


def _present(name: str) -> str:
    return quote_ident(f"p_{name}")


def _typed(name: str) -> str:
    return quote_ident(f"t_{name}")


def _problems(spec: TableSpec, conflicts: int, staged: Staged) -> list[_Problem]:
    """Every rule a row must pass, over the checked row's r_/p_/t_<col> (raw/present/typed).

    Each condition is a non-NULL boolean that is true when the row breaks the rule;
    whether a value is present (not blank) is computed once per column (`p_<col>`).
    """
    problems: list[_Problem] = []
    if staged.problem_column is not None:
        problems.append(_Problem("(_reader_problem is not null)", "", "_reader_problem"))
    for i in range(conflicts):
        column = quote_ident(f"_conflict_{i}")
        problems.append(_Problem(f"({column} is not null)", "", column))
    for column in spec.columns:
        present, typed = _present(column.name), _typed(column.name)
        if column.required:
            problems.append(_Problem(f"(not {present})", f"missing required field {column.name}"))
        if column.type != "VARCHAR":
            problems.append(
                _Problem(
                    f"({typed} is null and {present})",
                    f"{column.name} is not {_TYPE_WORDS[column.type]}",
                )
            )
        if column.rule is not None:
            rule = column.rule.sql.replace("{value}", typed)
            problems.append(
                _Problem(
                    f"({typed} is not null and {present} and not coalesce({rule}, false))",
                    column.rule.reason,
                )
            )
    for check in spec.checks:
        raws = {c: _raw(c) for c in check.columns}
        present = " and ".join(_present(c) for c in check.columns)
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


@dataclass(frozen=True)
class LandingPlan:
    """The SQL that lands one staged relation, built from its spec and field mapping.

    `checked` is a subquery with one row per staged record: `_source_row`,
    each column's raw text (`r_<col>`), presence (`p_<col>`) and typed value
    (`t_<col>`), the conflict and reader-problem columns and `_extra` (the
    unknown fields as JSON). `problems` are conditions over it.
    """

    staged: Staged
    mapping: FieldMapping
    checked: str
    problems: tuple[_Problem, ...]
    params: dict[str, object]

    @property
    def good_rows(self) -> str:
        """True for a row that breaks no rule (a conjunction: DuckDB filters term by term)."""
        return " and ".join(f"not {p.condition}" for p in self.problems) or "true"

    @property
    def bad_rows(self) -> str:
        return " or ".join(p.condition for p in self.problems) or "false"


def plan_landing(staged: Staged) -> LandingPlan:
    """Build the checked-row query and the rules for one staged relation."""
    spec = staged.spec
    mapping = map_fields(spec, staged)
    raw_cols = ["_source_row"]
    if staged.problem_column is not None:
        raw_cols.append(f"{quote_ident(staged.problem_column)} as _reader_problem")
    if staged.record_column is not None:
        raw_cols.append(f"{quote_ident(staged.record_column)} as _record")
    for column in spec.columns:
        raw_cols.append(f"{_raw_expr(mapping.sources[column.name].columns)} as {_raw(column.name)}")
    conflicts, conflict_params = _conflict_columns(mapping)
    raw_cols += conflicts
    extra, extra_params = _extra_expr(mapping.unknown)
    raw_cols.append(f"{extra} as _extra")
    if staged.record_column is None:
        record, record_params = _record_expr(staged)
        raw_cols.append(f"{record} as _record")
    else:
        record_params = {}
    # Presence and typed values are computed once per column from the raw text.
    checked_cols = ["*"]
    for column in spec.columns:
        raw = _raw(column.name)
        checked_cols.append(f"not {_blank(raw)} as {_present(column.name)}")
        checked_cols.append(f"{_PARSERS[column.type].replace('{v}', raw)} as {_typed(column.name)}")
    checked = (
        f"(select {', '.join(checked_cols)} from"
        f" (select {', '.join(raw_cols)} from {staged.relation}))"
    )
    return LandingPlan(
        staged,
        mapping,
        checked,
        tuple(_problems(spec, len(conflicts), staged)),
        {**conflict_params, **extra_params, **record_params, **staged.params},
    )


def _record_expr(staged: Staged) -> tuple[str, dict[str, str]]:
    """The original record as JSON text (the fields and their raw values), for rejected_rows."""
    if not staged.fields:
        return "'{}'", {}
    pairs = tuple(
        (name, quote_ident(col)) for name, col in zip(staged.fields, staged.columns, strict=True)
    )
    obj, params = _json_object(pairs, "record_key_")
    return f"cast({obj} as varchar)", params


def _loaded_at(con: duckdb.DuckDBPyConnection) -> object:
    """The stamp of every row landed now: the transaction's start time, in UTC."""
    row = first_row(run_sql(con, "select cast(now() at time zone 'UTC' as timestamp)"))
    return row[0] if row else None


def _insert_good_rows(
    con: duckdb.DuckDBPyConnection, plan: LandingPlan, ctx: LandingContext
) -> int:
    """Insert every row that breaks no rule into the raw table; the number inserted."""
    spec = plan.staged.spec
    target = [quote_ident(c.name) for c in spec.columns] + [quote_ident(n) for n, _ in META_COLUMNS]
    values = [_typed(c.name) for c in spec.columns]
    values += ["$load_id", "$source_file", "_source_row", "$loaded_at", "_extra"]
    sql = (
        f"insert into {spec.qualified} ({', '.join(target)})"
        f" select {', '.join(values)} from {plan.checked} where {plan.good_rows}"
    )
    params = {
        "load_id": ctx.load_id,
        "source_file": ctx.source_file,
        "loaded_at": _loaded_at(con),
        **plan.params,
    }
    return _count(run_sql(con, sql, _used(sql, params)))


def _insert_rejected_rows(
    con: duckdb.DuckDBPyConnection, plan: LandingPlan, ctx: LandingContext
) -> int:
    """Insert every row that breaks a rule into raw_meta.rejected_rows; the number inserted."""
    reason, reason_params = _reasons(list(plan.problems))
    sql = (
        "insert into raw_meta.rejected_rows"
        " (load_id, source_file, source_row, table_name, reason, record)"
        f" select $load_id, $source_file, _source_row, $table_name, {reason}, _record"
        f" from {plan.checked} where {plan.bad_rows}"
    )
    params = {
        "load_id": ctx.load_id,
        "source_file": ctx.source_file,
        "table_name": plan.staged.spec.label,
        **reason_params,
        **plan.params,
    }
    return _count(run_sql(con, sql, _used(sql, params)))


def _used(sql: str, params: dict[str, object]) -> dict[str, object]:
    """The named parameters the statement refers to (DuckDB rejects unused ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _check_every_row_counted(
    staged: Staged, ctx: LandingContext, landed: int, rejected: int
) -> None:
    """Rows read = rows landed + rows rejected, or the file's transaction fails."""
    if landed + rejected != staged.rows_read:
        raise RuntimeError(
            f"{ctx.source_file}: {staged.spec.label} read {staged.rows_read} rows but landed"
            f" {landed} and rejected {rejected}"
        )


@contextlib.contextmanager
def _each_value_checked_once(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Keep the checked row's filter above the projection that parses each value.

    DuckDB's filter pushdown would copy every typed value's parsing (regular
    expressions, casts) into the filter below that projection and so compute it
    twice; landing is bound by that work (measured: about 40% less CPU for a billing file).
    The setting belongs to this connection (each file has its own) and is
    reset after landing.
    """
    run_sql(con, "set disabled_optimizers = 'filter_pushdown'")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction: the cursor goes anyway
            run_sql(con, "reset disabled_optimizers")


def land(con: duckdb.DuckDBPyConnection, staged: Staged, ctx: LandingContext) -> TableCounts:
    """Land one staged relation: good rows into the raw table, bad ones into rejected_rows.

    Runs inside the caller's transaction; never commits.
    """
    plan = plan_landing(staged)
    with _each_value_checked_once(con):
        landed = _insert_good_rows(con, plan, ctx)
        rejected = 0
        if landed < staged.rows_read:  # a second query only for files with bad rows
            rejected = _insert_rejected_rows(con, plan, ctx)
    _check_every_row_counted(staged, ctx, landed, rejected)
    if staged.cleanup:
        run_sql(con, staged.cleanup)
    unknown = [name for group in plan.mapping.unknown for name in group.fields]
    return TableCounts(staged.spec.label, staged.rows_read, landed, rejected, unknown)


def _count(rows: list[tuple[object, ...]]) -> int:
    row = first_row(rows)
    return int(row[0]) if row else 0
