"""Smoke run of the whole benchmark at a tiny size: every figure measured, all agree.

The full benchmark takes minutes and is not part of the test command; this
runs the same code path (generate, both alternatives, read_json, load, dbt
parse/build, a new month, nothing new, agreement check, report) once at 2,000
lines. Spark local mode and the main job (`--spark-runs`, `--job-runs`) are
left out: each costs minutes or a whole extra job here; `make bench
SIZES=20000,50000 RUNS=1` runs them end to end.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import report

SIZE = 2_000
# Figures only the runs with Spark or the job measure (both off here).
NOT_MEASURED_HERE = {
    "spark_export_s",
    "spark_build_fct_s",
    "spark_build_fct_tree_mib",
    "ratio_spark_vs_duckdb_fct_build",
    "job_nothing_new_s",
    "job_new_month_s",
    "publish_s",
    "publish_mib",
}


def test_benchmark_runs_end_to_end_at_a_tiny_size(project_dir: Path, tmp_path: Path) -> None:
    results_dir, readme = tmp_path / "results", tmp_path / "README.md"
    readme.write_text("# Benchmarks\n\nHand-written text stays.\n")
    project_readme = tmp_path / "PROJECT.md"
    speed = report.marker_start("speed") + "\nold figures\n" + report.marker_end("speed")
    project_readme.write_text(f"# Project\n\n{speed}\n\n## Next\n")
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
            "--project-readme",
            str(project_readme),
            "--spark-runs",
            "0",
            "--job-runs",
            "0",
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
    missing = {key for _, key, _ in report.ROWS if key not in medians}
    assert missing == NOT_MEASURED_HERE
    assert medians["runs"] == 1 and medians["spark_runs"] == 0
    figures = ("generate_s", "load_s", "dbt_build_s", "pandas_s", "floor_s", "incremental_s")
    for figure in (*figures, "load_nothing_new_s", "dbt_build_nothing_new_s"):
        assert medians[figure] > 0
    assert medians["nothing_new_s"] == pytest.approx(
        medians["load_nothing_new_s"] + medians["dbt_build_nothing_new_s"]
    )
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
    assert set(report.committed_sections(text)) == {"results", "goals", "profiles", "engines"}
    assert "2k lines" in report.committed_sections(text)["results"]
    project = project_readme.read_text()
    assert project.startswith("# Project\n\n") and project.rstrip().endswith("## Next")
    assert "old figures" not in project and "| generate |" in project
