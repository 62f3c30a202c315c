"""The declarative contract of a raw table: columns, raw types, required fields, aliases, rules.

A source module (`sources/`) describes each raw table it writes as a
`TableSpec`; `landing.land()` turns a spec into the SQL that types, checks
and lands a file's records. docs/raw_tables.md lists every table and rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from python_loaders.ingestion.sql import quote_ident

#: The raw types a column may have (landing.py knows how to parse each from text).
RAW_TYPES: tuple[str, ...] = ("VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "DATE")

#: Columns every raw table carries after the source's own columns.
META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", "BIGINT"),
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
    ("_extra_fields", "JSON"),
)


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
        if self.type not in RAW_TYPES:
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
