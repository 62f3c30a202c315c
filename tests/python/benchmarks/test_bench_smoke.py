"""Smoke run of the whole benchmark at a tiny size: every figure measured, all agree.

The full benchmark takes minutes and is not part of the test command; this
runs the same code path (generate, both alternatives, read_json, load, dbt
parse/build, incremental month, agreement check, report) once at 2,000 lines.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

from benchmarks import report

SIZE = 2_000


def test_benchmark_runs_end_to_end_at_a_tiny_size(project_dir: Path, tmp_path: Path) -> None:
    results_dir, readme = tmp_path / "results", tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nHand-written text stays.\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--sizes",
            str(SIZE),
            "--runs",
            "1",
            "--work-dir",
            str(tmp_path / "work"),
            "--results-dir",
            str(results_dir),
            "--readme",
            str(readme),
        ],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    results = json.loads((results_dir / "results.json").read_text())
    medians = results["medians"][str(SIZE)]
    missing = [key for _, key, _ in report.ROWS if key not in medians]
    assert missing == []
    assert medians["runs"] == 1
    for figure in ("generate_s", "load_s", "dbt_build_s", "pandas_s", "floor_s"):
        assert medians[figure] > 0
    assert medians["dbt_build_mib"] > 0 and medians["pandas_mib"] > 0

    # The three approaches produced the same table (the run fails otherwise).
    for key in ("rows", "revenue", "lines"):
        assert medians[f"pipeline_{key}"] == medians[f"pandas_{key}"] == medians[f"floor_{key}"]
    assert 0 < medians["pipeline_lines"] <= SIZE

    with (results_dir / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["invoice_lines"]) for row in rows] == [SIZE]
    assert (results_dir / "time_vs_size.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    text = readme.read_text()
    assert text.startswith("# Benchmarks\n\nHand-written text stays.")
    assert report.README_START in text and "| generate" not in text.split(report.README_START)[0]
    assert "2k lines" in text
