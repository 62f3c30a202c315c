"""`python -m python_loaders sql`, driven through a real pseudo-terminal as a person types.

The published file is a real DuckDB file written here; while the console runs,
another process holds the private warehouse open for writing (as a build does)
and a third holds the published file read-only (another analyst).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
PROMPT = "aavail> "


@pytest.fixture
def analytics(tmp_path: Path) -> Path:
    path = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_daily_revenue as select * from (values"
            " (date '2019-01-01', 10.50::decimal(18, 2)),"
            " (date '2019-01-02', 4.25::decimal(18, 2))) t(revenue_date, revenue)"
        )
    return path


def _holder(path: Path, read_only: bool) -> subprocess.Popen[str]:
    """A process holding `path` open until its stdin closes; returns once it holds it."""
    code = (
        "import duckdb, sys; "
        f"con = duckdb.connect(sys.argv[1], read_only={read_only}); "
        "print('holding', flush=True); sys.stdin.read()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "holding"
    return process


class Terminal:
    """The console on the slave side of a pty; this side types and reads."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "python_loaders", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=PROJECT_DIR,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.seen = ""
        self.position = 0

    def read_until(self, marker: str, timeout: float = 20.0) -> str:
        """What the console printed from the last read up to and including `marker`."""
        deadline = time.monotonic() + timeout
        while marker not in self.seen[self.position :]:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {marker!r} in:\n{self.seen[self.position :]}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096).decode(errors="replace")
            except OSError:  # EIO: the console exited
                chunk = ""
            assert chunk, f"console ended before {marker!r}:\n{self.seen[self.position :]}"
            self.seen += chunk.replace("\r\n", "\n")
        end = self.seen.index(marker, self.position) + len(marker)
        output, self.position = self.seen[self.position : end], end
        return output

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> int:
        code = self.process.wait(timeout=20)
        os.close(self.master)
        return code


@pytest.fixture
def console_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(tmp_path),
        "TERM": "dumb",
        "AAVAIL_WAREHOUSE": str(tmp_path / "private.duckdb"),
        "AAVAIL_SQL_HISTORY": str(tmp_path / "history"),
    }


def test_a_person_queries_the_published_file_while_a_build_holds_the_warehouse(
    analytics, console_env, tmp_path
):
    builder = _holder(Path(console_env["AAVAIL_WAREHOUSE"]), read_only=False)
    other_reader = _holder(analytics, read_only=True)
    try:
        terminal = Terminal(["sql", "--analytics", str(analytics)], console_env)
        banner = terminal.read_until(PROMPT)
        assert "read-only" in banner and str(analytics) in banner

        terminal.type("select revenue_date, revenue")
        terminal.type("from marts.fct_daily_revenue order by revenue_date;")
        result = terminal.read_until(PROMPT)
        lines = [line.rstrip() for line in result.splitlines()]
        header = next(line for line in lines if "revenue_date" in line and "|" in line)
        assert header.split("|")[1].strip() == "revenue"
        rows = [[cell.strip() for cell in line.split("|")] for line in lines if "|" in line]
        assert rows[1:] == [["2019-01-01", "10.50"], ["2019-01-02", "4.25"]]
        assert lines[lines.index(header) + 2].endswith("  10.50")  # numbers right-aligned
        assert "(2 rows)" in result

        terminal.type(".tables")
        assert "marts.fct_daily_revenue" in terminal.read_until(PROMPT)
        terminal.type(".schema marts.fct_daily_revenue")
        schema = terminal.read_until(PROMPT)
        assert "revenue_date" in schema and "DECIMAL(18,2)" in schema

        terminal.type("delete from marts.fct_daily_revenue;")  # read-only: one error line
        error = terminal.read_until(PROMPT)
        error_lines = [line for line in error.splitlines() if line.startswith("Error:")]
        assert len(error_lines) == 1 and "read-only" in error_lines[0], error
        assert "Traceback" not in error

        terminal.type("select count(*) as n from marts.fct_daily_revenue;")
        assert "(1 row)" in terminal.read_until(PROMPT)  # the delete changed nothing
        terminal.type(".quit")
        assert terminal.close() == 0
    finally:
        for holder in (builder, other_reader):
            holder.stdin.close()
            holder.wait(timeout=20)
    assert "fct_daily_revenue" in (tmp_path / "history").read_text()  # readline history kept
    with duckdb.connect(str(analytics), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_daily_revenue").fetchone()[0] == 2


def test_a_missing_published_file_is_one_line_and_exit_2(console_env, tmp_path):
    missing = tmp_path / "nothing.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "python_loaders", "sql", "--analytics", str(missing)],
        cwd=PROJECT_DIR,
        env=console_env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert str(missing) in result.stderr and "publish" in result.stderr
    assert not missing.exists()
