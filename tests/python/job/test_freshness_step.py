"""`run`'s first dbt step, `dbt source freshness`: a stale source warns and the job goes on.

The real project's freshness (thresholds in dbt_project.yml `sources:`) on a
warehouse landed by the real `load` (tiny sources), with some tables' landing
times moved into the past. Stale tables, past warn_after or error_after, give
one warning line naming them and the step passes (so the job builds and
publishes what has landed); a table whose freshness cannot be measured stops
the job like any failing step.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from job_helpers import PROJECT_DIR, job_env

from python_loaders.job.freshness import SourceFreshness, outcome
from python_loaders.job.pipeline import JobOptions, main_job_steps

FRESHNESS = "dbt source freshness"


def _thresholds_days() -> tuple[int, int]:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    criteria = project["sources"]["aavail"]["+freshness"]
    for key in ("warn_after", "error_after"):
        assert criteria[key]["period"] == "day", criteria
    return criteria["warn_after"]["count"], criteria["error_after"]["count"]


def _age(warehouse: Path, table: str, days: int) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"update {table} set _loaded_at = _loaded_at - interval {days} day")


def _run_step(warehouse: Path, job_root: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    for key, value in job_env(job_root, warehouse).items():
        monkeypatch.setenv(key, value)
    job = JobOptions(project=PROJECT_DIR, source_dir=job_root, warehouse=warehouse, quiet=True)
    [step] = [step for step in main_job_steps() if step.name == FRESHNESS]
    return step.run(job)


def test_freshness_is_the_first_dbt_step_of_the_job():
    names = [step.name for step in main_job_steps()]
    assert names[:3] == ["load", FRESHNESS, "dbt build"]


def test_stale_sources_warn_in_one_line_and_the_step_passes(
    loaded_warehouse: Path, job_root: Path, monkeypatch, capfd
):
    warn_days, error_days = _thresholds_days()
    _age(loaded_warehouse, "raw_crm.customer", error_days + 10)
    _age(loaded_warehouse, "raw_streaming.streams", (warn_days + error_days) // 2)

    code = _run_step(loaded_warehouse, job_root, monkeypatch)

    captured = capfd.readouterr()
    assert code == 0, captured.out[-3000:]
    assert "ERROR STALE freshness of crm.customer" in captured.out  # dbt's own verdict
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, captured.err
    [line] = warnings
    assert f"crm.customer ({error_days + 10} days, past error_after)" in line
    assert f"streaming.streams ({(warn_days + error_days) // 2} days)" in line
    for fresh in ("crm.country", "crm.invoice ", "crm.invoice_item", "billing.invoice_lines"):
        assert fresh not in line
    assert "the job goes on" in line
    assert not [line for line in captured.err.splitlines() if line.startswith("error:")]


def test_the_outcome_passes_only_when_every_table_was_checked():
    fresh = SourceFreshness("crm.country", "pass", 0.1)
    stale = SourceFreshness("crm.customer", "error", 40.2)
    tables = {"crm.country", "crm.customer"}
    assert outcome(0, [fresh, SourceFreshness("crm.customer", "pass", 1.0)], tables) == (0, None)
    code, warning = outcome(1, [fresh, stale], tables)  # dbt's exit 1: past error_after
    assert code == 0 and warning is not None and "crm.customer (40 days" in warning
    assert outcome(1, [fresh], tables) == (1, None)  # a runtime error leaves a table out
    assert outcome(0, [fresh], tables) == (1, None)
    assert outcome(1, [fresh, SourceFreshness("crm.customer", "runtime error", None)], tables)[0]
    assert outcome(2, [fresh, stale], tables) == (2, None)  # dbt stopped (on-run-start checks)
    assert outcome(0, None, tables) == (1, None)


def test_a_table_whose_freshness_cannot_be_measured_fails_the_step(
    loaded_warehouse: Path, job_root: Path, monkeypatch, capfd
):
    with duckdb.connect(str(loaded_warehouse)) as con:
        con.execute("alter table raw_crm.country drop column _loaded_at")

    code = _run_step(loaded_warehouse, job_root, monkeypatch)

    captured = capfd.readouterr()
    assert code == 1, captured.out[-3000:]
    assert "warning:" not in captured.err
