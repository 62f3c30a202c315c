"""Generate the tables of docs/raw_tables.md from the contract's single sources.

The raw-table contract is written once, each part where it is used:

* columns, raw types, required fields, aliases and plausibility rules: the
  table specs of `python_loaders.ingestion.sources` (what the loader enforces);
* the landing-metadata columns: `spec.META_COLUMNS` (names, types) and the doc
  blocks of models/staging/_landing_metadata.md (meanings, shown on the docs site);
* the `raw_meta` audit tables: their DDL in `audit.py` (columns, types) and
  models/staging/raw_meta/_raw_meta__sources.yml (meanings, shown on the docs site).

docs/raw_tables.md keeps its prose by hand; each table between a pair of
`<!-- generated: KEY -->` / `<!-- end generated: KEY -->` markers is rewritten
from those sources. `python -m python_loaders.ingestion.raw_tables_doc` rewrites
the file, `--check` only says whether it is up to date (exit 1 when not); the
test suite runs the check (tests/python/conventions/test_raw_tables_doc.py).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import yaml

from python_loaders.ingestion import audit
from python_loaders.ingestion.sources import SOURCES
from python_loaders.ingestion.spec import META_COLUMNS, Column, TableSpec

PROJECT_DIR = Path(__file__).resolve().parents[2]
DOC_PATH = Path("docs") / "raw_tables.md"
LANDING_DOCS = Path("models") / "staging" / "_landing_metadata.md"
RAW_META_SOURCES = Path("models") / "staging" / "raw_meta" / "_raw_meta__sources.yml"
#: The doc block describing each landing-metadata column (models/staging/_landing_metadata.md).
META_DOC_BLOCKS: dict[str, str] = {name: "raw" + name for name, _ in META_COLUMNS}

_DOC_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.DOTALL)
_SECTION = re.compile(
    r"(<!-- generated: (?P<key>[\w-]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=key) -->)",
    re.DOTALL,
)


def _one_line(text: str) -> str:
    """Markdown text as one table cell: whitespace runs joined, `|` escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def doc_blocks(project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """The `{% docs name %}` blocks of the landing-metadata file, by name."""
    text = (project_dir / LANDING_DOCS).read_text(encoding="utf-8")
    return {name: body.strip() for name, body in _DOC_BLOCK.findall(text)}


def landing_metadata_table(project_dir: Path = PROJECT_DIR) -> str:
    """The columns the loader adds to every raw table: name, type, meaning."""
    blocks = doc_blocks(project_dir)
    rows = []
    for name, raw_type in META_COLUMNS:
        block = META_DOC_BLOCKS[name]
        if block not in blocks:
            raise ValueError(f"{LANDING_DOCS}: no doc block {block!r} for column {name}")
        rows.append((f"`{name}`", raw_type, _one_line(blocks[block])))
    return _table(("column", "type", "meaning"), rows)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _column_row(column: Column) -> tuple[str, ...]:
    return (
        f"`{column.name}`",
        column.type,
        "yes" if column.required else "",
        _names(column.aliases),
        f"`{column.rule.reason}`" if column.rule is not None else "",
    )


def spec_table(spec: TableSpec) -> str:
    """One raw table's own columns, as the loader enforces them, and its row checks."""
    rows = [_column_row(column) for column in spec.columns]
    rows += [
        (
            _names(check.columns) + (" together" if len(check.columns) > 1 else ""),
            "",
            "",
            "",
            f"`{check.reason}`",
        )
        for check in spec.checks
    ]
    header = ("column", "type", "required", "also read from", "plausibility rule: rejected with")
    return f"`{spec.label}`:\n\n" + _table(header, rows)


def source_tables(schema: str) -> str:
    """The tables of every raw table in `schema` (e.g. `raw_crm`), in the specs' order."""
    specs = [spec for source in SOURCES for spec in source.tables if spec.schema == schema]
    if not specs:
        raise ValueError(f"no raw table spec in schema {schema}")
    return "\n".join(spec_table(spec) for spec in specs)


def raw_meta_tables(project_dir: Path = PROJECT_DIR) -> str:
    """Each declared raw_meta table: its description, then its columns' types (from the
    loader's DDL) and meanings (from the sources YAML, which the docs site shows)."""
    sources = yaml.safe_load((project_dir / RAW_META_SOURCES).read_text(encoding="utf-8"))
    [source] = [s for s in sources["sources"] if s["name"] == "raw_meta"]
    with duckdb.connect() as con:
        audit.create(con)
        types = {
            (table, column): data_type
            for table, column, data_type in con.execute(
                "select table_name, column_name, data_type from information_schema.columns"
                " where table_schema = 'raw_meta'"
            ).fetchall()
        }
    parts = []
    for table in source["tables"]:
        name = table["name"]
        rows = []
        for column in table.get("columns", []):
            key = (name, column["name"])
            if key not in types:
                raise ValueError(f"{RAW_META_SOURCES}: raw_meta.{name} has no column {key[1]}")
            rows.append((f"`{key[1]}`", types[key], _one_line(column.get("description", ""))))
        parts.append(
            f"`raw_meta.{name}`: {_one_line(table.get('description', ''))}\n\n"
            + _table(("column", "type", "meaning"), rows)
        )
    return "\n".join(parts)


#: What each generated section of docs/raw_tables.md holds.
SECTIONS: dict[str, Callable[[Path], str]] = {
    "landing-metadata": landing_metadata_table,
    "raw_crm": lambda _: source_tables("raw_crm"),
    "raw_streaming": lambda _: source_tables("raw_streaming"),
    "raw_billing": lambda _: source_tables("raw_billing"),
    "raw_meta": raw_meta_tables,
}


def render(text: str, project_dir: Path = PROJECT_DIR) -> str:
    """`text` (docs/raw_tables.md) with every generated section rewritten.

    Every key of SECTIONS must appear exactly once; unknown keys are an error.
    """
    found = [match.group("key") for match in _SECTION.finditer(text)]
    missing = sorted(set(SECTIONS) - set(found))
    unknown = sorted(set(found) - set(SECTIONS))
    repeated = sorted({key for key in found if found.count(key) > 1})
    if missing or unknown or repeated:
        raise ValueError(
            f"{DOC_PATH}: generated sections missing {missing}, unknown {unknown},"
            f" repeated {repeated}"
        )

    def body(match: re.Match[str]) -> str:
        generated = SECTIONS[match.group("key")](project_dir)
        return match.group(1) + generated + match.group(4)

    return _SECTION.sub(body, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m python_loaders.ingestion.raw_tables_doc",
        description="Rewrite the generated tables of docs/raw_tables.md from the loader's specs.",
    )
    parser.add_argument(
        "--check", action="store_true", help="only check that the file is up to date"
    )
    parser.add_argument(
        "--doc", type=Path, default=PROJECT_DIR / DOC_PATH, help="the file (docs/raw_tables.md)"
    )
    args = parser.parse_args(argv)
    try:
        current = args.doc.read_text(encoding="utf-8")
        expected = render(current)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if current == expected:
        print(f"{args.doc}: up to date")
        return 0
    if args.check:
        print(
            f"error: {args.doc} is out of date: run"
            " python -m python_loaders.ingestion.raw_tables_doc",
            file=sys.stderr,
        )
        return 1
    args.doc.write_text(expected, encoding="utf-8")
    print(f"{args.doc}: rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
