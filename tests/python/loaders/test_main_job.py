"""The main job `run`: generate sample sources when needed, load, then dbt build + docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loader_helpers import count_records, invoice_line, query, run_cli, write_json

from python_loaders.job.pipeline import run_main_job

PROFILE = """\
tiny:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('AAVAIL_WAREHOUSE') }}"
      threads: 1
"""
PROJECT = """\
name: tiny
version: "1.0.0"
profile: tiny
config-version: 2
model-paths: ["models"]
flags:
  send_anonymous_usage_stats: false
"""
# Reads what the loader landed: proves dbt ran after the load, on the same warehouse.
MODEL = "select count(*) as invoice_lines from raw_billing.invoice_lines"


def _tiny_dbt_project(root: Path, model_sql: str = MODEL) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text(PROJECT)
    (root / "profiles.yml").write_text(PROFILE)
    (root / "models" / "landed_lines.sql").write_text(
        "{{ config(materialized='table') }}\n" + model_sql + "\n"
    )
    return root


def test_run_generates_sample_sources_loads_them_and_builds_dbt(tmp_path: Path, capfd):
    project = _tiny_dbt_project(tmp_path / "project")
    warehouse = tmp_path / "wh" / "warehouse.duckdb"

    code = run_main_job(None, warehouse, 0.01, True, project_dir=project)

    assert code == 0, capfd.readouterr().err
    sample = project / "data" / "sample_sources"
    expected = count_records(sample)
    assert len([p for p in expected if p.startswith("invoices/")]) == 26
    landed = dict(query(warehouse, "select file_path, rows_landed from raw_meta.files"))
    assert landed == expected
    lines = sum(n for p, n in expected.items() if p.startswith("invoices/"))
    assert query(warehouse, "select invoice_lines from main.landed_lines") == [(lines,)]
    catalog = json.loads((project / "target" / "catalog.json").read_text())
    assert "model.tiny.landed_lines" in catalog["nodes"]
    out = capfd.readouterr().out
    assert "$ dbt build" in out and "$ dbt docs generate" in out


def test_run_reports_which_step_failed(tmp_path: Path, capfd):
    sources = tmp_path / "src"
    write_json(sources / "invoices" / "a.json", [invoice_line()])
    broken = _tiny_dbt_project(tmp_path / "broken", "select * from no_such_table")
    warehouse = tmp_path / "wh.duckdb"

    code = run_main_job(sources, warehouse, 0.01, True, project_dir=broken)

    assert code != 0
    assert "error: step `dbt build` failed" in capfd.readouterr().err
    assert query(warehouse, "select status from raw_meta.files") == [("landed",)]
    assert not (broken / "target" / "catalog.json").exists()


def test_run_stops_before_dbt_when_the_load_fails(tmp_path: Path, capfd):
    sources = tmp_path / "src"
    (sources / "invoices").mkdir(parents=True)
    (sources / "invoices" / "a.json").write_text("[{")
    project = _tiny_dbt_project(tmp_path / "project")

    code = run_main_job(sources, tmp_path / "wh.duckdb", 0.01, True, project_dir=project)

    assert code == 1
    err = capfd.readouterr().err
    assert "error: step `load` failed (exit 1); not run: `dbt source freshness`, `dbt build`" in err
    assert not (project / "target").exists()


@pytest.mark.parametrize(
    "args", [["run", "--source-dir", "/no/such/dir"], ["run", "--max-reject-rate", "x"]]
)
def test_run_fails_in_one_line(args, tmp_path: Path):
    done = run_cli(*args, "--warehouse", str(tmp_path / "wh.duckdb"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
