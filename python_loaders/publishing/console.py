"""`python -m python_loaders sql` (`make sql`): a SQL console on the published warehouse.

Opens the published file (`data/analytics.duckdb`, `--analytics`, `$AAVAIL_ANALYTICS`)
read-only, so it starts while a load, a build or a publish runs, and never
blocks them. Why not the DuckDB CLI: `duckdb-cli` on the package index (1.5.x)
cannot read files written by DuckDB 2.0 (storage version 69; it reads 64-68),
and Harlequin would add a dozen packages outside requirements.lock (and pins
click 8.5, where dbt's lock has 8.4).

- A statement runs when a line ends with `;` (it may span several lines);
  results print as an aligned table (at most `MAX_ROWS` rows), errors as one line.
- Dot commands: `.tables`, `.schema TABLE`, `.help`, `.quit` (or Ctrl-D).
- Ctrl-C clears the statement being typed; history is kept in
  `~/.aavail_sql_history` (`$AAVAIL_SQL_HISTORY`) when reading from a terminal.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import duckdb

from python_loaders.common.errors import UserError

PROMPT = "aavail> "
CONTINUATION = "   ...> "
MAX_ROWS = 100
MAX_CELL = 60
HELP = """\
Type SQL ending with `;` (several lines are fine). The schemas are `marts` and `ml`.
  .tables          list the tables
  .schema TABLE    columns and types of TABLE (e.g. marts.fct_daily_revenue)
  .help            this text
  .quit            leave (or Ctrl-D)"""


def _cell(value: object) -> str:
    text = "NULL" if value is None else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as an aligned text table: numbers right-aligned, everything else left."""
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in rows)
        for i in range(len(columns))
    ]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ]
        return " | ".join(parts).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(list(columns)), rule, *(line(row) for row in cells)])


class Console:
    """One read-only connection and the commands typed into it."""

    def __init__(self, analytics: Path, out: TextIO) -> None:
        if not analytics.is_file():
            raise UserError(
                f"{analytics}: no published warehouse (run `python -m python_loaders run` "
                "or `publish` first)"
            )
        try:
            self.con = duckdb.connect(str(analytics), read_only=True)
        except duckdb.Error as error:
            raise UserError(f"{analytics}: {str(error).splitlines()[0]}") from None
        self.analytics = analytics
        self.out = out

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def run_sql(self, sql: str) -> None:
        """Execute `sql`; print its result table, or one `Error:` line."""
        try:
            cursor = self.con.execute(sql)
            if cursor.description is None:
                self.say("OK")
                return
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchmany(MAX_ROWS + 1)
        except duckdb.Error as error:
            self.say(f"Error: {' '.join(str(error).split())}")
            return
        shown = rows[:MAX_ROWS]
        self.say(format_table(columns, shown))
        if len(rows) > MAX_ROWS:
            self.say(f"(more than {MAX_ROWS} rows; the first {MAX_ROWS} shown: add a limit)")
        else:
            self.say(f"({len(shown)} row{'' if len(shown) == 1 else 's'})")

    def dot_command(self, line: str) -> bool:
        """Run a `.command`; False when it asks to quit."""
        name, _, argument = line.partition(" ")
        argument = argument.strip().rstrip(";")
        if name in (".quit", ".exit", ".q"):
            return False
        if name == ".help":
            self.say(HELP)
        elif name == ".tables":
            self.run_sql(
                "select table_schema || '.' || table_name as table_name, table_type "
                "from information_schema.tables order by all"
            )
        elif name == ".schema" and argument:
            schema, _, table = argument.rpartition(".")
            self.run_sql(
                "select column_name, data_type, is_nullable from information_schema.columns "
                f"where table_name = {_literal(table)}"
                + (f" and table_schema = {_literal(schema)}" if schema else "")
                + " order by ordinal_position"
            )
        else:
            self.say(f"Error: unknown command {line!r} (try .help)")
        return True

    def close(self) -> None:
        self.con.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _enable_history() -> None:
    """Line editing and a history file, when reading from a terminal."""
    try:
        import readline
    except ImportError:  # no readline on this platform: plain input() still works
        return
    history = Path(
        os.environ.get("AAVAIL_SQL_HISTORY") or Path.home() / ".aavail_sql_history"
    ).expanduser()
    with contextlib.suppress(OSError):  # no history yet
        readline.read_history_file(history)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(history)

    atexit.register(save)


def run_console(analytics: Path, *, out: TextIO = sys.stdout) -> int:
    """The read-eval-print loop; returns the exit code (0)."""
    console = Console(analytics, out)
    interactive = sys.stdin.isatty()
    if interactive:
        _enable_history()
        console.say(
            f"AAVAIL SQL console, read-only on {analytics}. .help for help, .quit to leave."
        )
    buffer: list[str] = []
    try:
        while True:
            try:
                line = input(CONTINUATION if buffer else PROMPT)
            except EOFError:
                if interactive:
                    console.say("")
                break
            except KeyboardInterrupt:
                console.say("^C")
                buffer.clear()
                continue
            stripped = line.strip()
            if not buffer and stripped.startswith("."):
                if not console.dot_command(stripped):
                    break
                continue
            if stripped:
                buffer.append(line)
            if buffer and stripped.endswith(";"):
                console.run_sql("\n".join(buffer))
                buffer.clear()
    finally:
        console.close()
    return 0
