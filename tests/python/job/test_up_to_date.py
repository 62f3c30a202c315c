"""`run` skips rebuilding when the published build is still current, and only then.

On a warehouse landed by the real `load` (its raw_meta.loads rows), with the
build audit row dbt's on-run-start/-end hooks write and a published file's
`meta.publication` row: the build is current until anything that could change
it happens (a load that lands, a failed or newer build, a project file edited,
the date moving on).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from python_loaders.job.up_to_date import current_build

BUILD = "0b1d-build"


@pytest.fixture
def setup(loaded_template: Path, tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded_template, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        [(loaded,)] = con.execute("select max(finished_at) from raw_meta.loads").fetchall()
        started = loaded + dt.timedelta(seconds=1)
        con.execute(
            "create table raw_meta.dbt_invocations (invocation_id varchar, command varchar,"
            " started_at timestamp, finished_at timestamp, status varchar)"
        )
        con.execute(
            "insert into raw_meta.dbt_invocations values (?, 'build', ?, ?, 'success')",
            [BUILD, started, started + dt.timedelta(seconds=5)],
        )
    analytics = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(analytics)) as con:
        con.execute("create schema meta")
        con.execute("create table meta.publication as select ? as invocation_id", [BUILD])
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    model = project / "models" / "m.sql"
    model.write_text("select 1")
    before = started.replace(tzinfo=dt.UTC).timestamp() - 60
    os.utime(model, (before, before))
    return warehouse, analytics, project, started


def _current(setup, **kwargs):
    warehouse, analytics, project, started = setup
    return current_build(warehouse, analytics, project, today=started.date(), **kwargs)


def test_a_published_green_build_with_nothing_new_since_is_current(setup):
    current = _current(setup)
    assert current is not None and current.invocation_id == BUILD


def test_a_load_that_landed_a_file_after_the_build_makes_it_stale(setup):
    warehouse, _, _, started = setup
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw_meta.loads (load_id, started_at, finished_at, source_dir, status,"
            " files_landed, files_skipped, files_rejected, rows_landed, rows_rejected)"
            " values (99, ?, ?, 'x', 'succeeded', 1, 0, 0, 10, 0)",
            [started + dt.timedelta(minutes=1), started + dt.timedelta(minutes=2)],
        )
    assert _current(setup) is None


def test_a_load_that_landed_nothing_keeps_it_current(setup):
    warehouse, _, _, started = setup
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw_meta.loads (load_id, started_at, finished_at, source_dir, status,"
            " files_landed, files_skipped, files_rejected, rows_landed, rows_rejected,"
            " files_moved, files_missing, files_pruned, files_ignored)"
            " values (99, ?, ?, 'x', 'succeeded', 0, 28, 0, 0, 0, 0, 0, 0, 0)",
            [started + dt.timedelta(minutes=1), started + dt.timedelta(minutes=2)],
        )
    assert _current(setup) is not None


@pytest.mark.parametrize("status", ["running", "interrupted", "failed"])
def test_a_load_that_did_not_finish_cleanly_makes_it_stale(setup, status):
    warehouse, _, _, started = setup
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw_meta.loads (load_id, started_at, source_dir, status)"
            " values (99, ?, 'x', ?)",
            [started + dt.timedelta(minutes=1), status],
        )
    assert _current(setup) is None


@pytest.mark.parametrize(
    ("command", "status"), [("build", "error"), ("run", "success"), ("build", "running")]
)
def test_a_later_dbt_command_that_writes_models_makes_it_stale(setup, command, status):
    warehouse, _, _, started = setup
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw_meta.dbt_invocations values ('later', ?, ?, null, ?)",
            [command, started + dt.timedelta(minutes=1), status],
        )
    assert _current(setup) is None


def test_an_edited_project_file_makes_it_stale(setup):
    _, _, project, _ = setup
    (project / "models" / "m.sql").write_text("select 2")  # modified now, after the build
    assert _current(setup) is None


def test_another_day_or_no_publication_makes_it_stale(setup):
    warehouse, analytics, project, started = setup
    next_day = started.date() + dt.timedelta(days=1)
    assert current_build(warehouse, analytics, project, today=next_day) is None
    analytics.unlink()
    assert _current(setup) is None
