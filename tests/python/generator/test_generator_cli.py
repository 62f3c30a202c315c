"""`python -m python_loaders generate`: success is quiet, bad input is one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]


def _generate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    return subprocess.run(
        [sys.executable, "-m", "python_loaders", "generate", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        env=env,
        timeout=120,
    )


def _one_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_generate_writes_sources_and_one_summary_line(tmp_path: Path):
    out = tmp_path / "new" / "sources"
    result = _generate(
        "--out", str(out), "--seed", "3", "--customers", "40", "--invoice-lines", "900"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "900 invoice lines" in result.stderr
    assert (out / "aavail-customers.db").is_file()
    assert (out / "aavail-streams.csv").is_file()
    assert len(list((out / "invoices").glob("invoices-*.json"))) == 26


def test_out_is_an_existing_file(tmp_path: Path):
    target = tmp_path / "a-file"
    target.write_text("x")
    _one_error_line(_generate("--out", str(target)), str(target), "not a directory")
    assert target.read_text() == "x"


def test_out_below_a_file_cannot_be_created(tmp_path: Path):
    target = tmp_path / "a-file"
    target.write_text("x")
    _one_error_line(_generate("--out", str(target / "sub")), str(target / "sub"))


def test_zero_customers_is_refused(tmp_path: Path):
    _one_error_line(_generate("--out", str(tmp_path), "--customers", "0"), "--customers")
    assert not (tmp_path / "aavail-customers.db").exists()
