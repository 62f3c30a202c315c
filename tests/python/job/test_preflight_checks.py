"""Mistakes caught before any work: one line naming the problem, nothing built or landed.

dbt side (macros/check_run_preconditions.sql, an on-run-start hook): a build
before any load, a bad `as_of_date` var. CLI side: bad warehouse paths, a bad
source dir, dbt not installed, a `~` in the warehouse path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from job_helpers import DBT, PROJECT_DIR, cli, job_env, run_process

NODE_STARTED = ("START sql", "START test", "START seed", "START snapshot", "START unit_test")


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_dbt_build_before_any_load_gives_one_hint_and_expands_the_tilde(
    job_root: Path, job_warehouse: Path
):
    # AAVAIL_WAREHOUSE='~/warehouse.duckdb' with HOME = job_root names job_warehouse.
    assert job_warehouse == job_root / "warehouse.duckdb"
    tilde_dir_before = (PROJECT_DIR / "~").exists()
    env = job_env(job_root, "~/warehouse.duckdb", HOME=str(job_root))

    done = run_process([DBT, "build"], env)

    output = done.stdout + done.stderr
    assert done.returncode != 0
    hint = (
        f"no raw data yet in {job_warehouse}: run python -m python_loaders load"
        " --source-dir DIR first"
    )
    assert output.count(hint) == 1, output[-3000:]
    assert not any(started in output for started in NODE_STARTED)
    assert " ERROR " not in output and "Traceback" not in output
    assert (PROJECT_DIR / "~").exists() == tilde_dir_before  # no literal ./~ folder
    assert job_warehouse.is_file()


def test_a_bad_as_of_date_stops_the_build_before_any_node_runs(
    loaded_template: Path, tmp_path: Path
):
    """One build (--vars force a full parse); which values are bad: the next test.

    Its own target dir, so the other tests' saved parse stays valid.
    """
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded_template, warehouse)
    done = run_process(
        [DBT, "build", "--vars", "{as_of_date: '05/01/2024'}"], job_env(tmp_path, warehouse)
    )

    output = done.stdout + done.stderr
    assert done.returncode != 0
    message = 'var as_of_date must be null or an ISO date YYYY-MM-DD, got "05/01/2024"'
    assert output.count(message) == 1, output[-3000:]
    assert not any(started in output for started in NODE_STARTED)


def test_the_date_check_accepts_exactly_the_real_iso_dates(job_root: Path, job_warehouse: Path):
    cases: dict[object, bool] = {
        "2024-02-29": True,
        "2000-02-29": True,
        "1999-12-31": True,
        "2023-02-29": False,
        "1900-02-29": False,
        "2024-04-31": False,
        "2024-13-01": False,
        "2024-00-10": False,
        "2024-1-5": False,
        "2024-01-05T00:00": False,
        " 2024-01-05": False,
        "": False,
        "today": False,
        20240105: False,
    }
    columns = ", ".join(
        f"{{{{ is_iso_date({text!r}) }}}} as c{index}" for index, text in enumerate(cases)
    )
    done = run_process(
        [DBT, "show", "--inline", f"select {columns}", "--output", "json", "--log-format", "text"],
        job_env(job_root, job_warehouse),
    )
    assert done.returncode == 0, done.stdout[-3000:]
    start = done.stdout.index("{")
    shown = json.loads(done.stdout[start : done.stdout.rindex("}") + 1])["show"][0]
    assert [shown[f"c{index}"] for index in range(len(cases))] == list(cases.values())


def test_run_with_a_directory_as_warehouse_fails_in_one_line(tiny_sources: Path, tmp_path: Path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    done = run_process(
        cli("run", "--source-dir", str(tiny_sources), "--warehouse", str(folder)),
        job_env(tmp_path, folder),
    )
    assert done.returncode == 2
    line = _one_error_line(done.stderr)
    assert str(folder) in line and "directory" in line
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("where", ["under-a-file", "unwritable"])
def test_load_with_an_unusable_warehouse_path_fails_in_one_line(
    where: str, tiny_sources: Path, tmp_path: Path
):
    if where == "under-a-file":
        (tmp_path / "a_file").write_text("x")
        warehouse = tmp_path / "a_file" / "wh.duckdb"
    else:  # /proc refuses new files even to root
        warehouse = Path("/proc/aavail-no-such/wh.duckdb")
    done = run_process(
        cli("load", "--source-dir", str(tiny_sources), "--warehouse", str(warehouse), "--quiet"),
        job_env(tmp_path, warehouse),
    )
    assert done.returncode == 2
    assert str(warehouse.parent) in _one_error_line(done.stderr)


@pytest.mark.parametrize("kind", ["missing", "a-file"])
def test_run_with_a_bad_source_dir_fails_in_one_line_before_the_warehouse_exists(
    kind: str, tmp_path: Path
):
    source = tmp_path / "sources"
    if kind == "a-file":
        source.write_text("not a folder")
    warehouse = tmp_path / "wh.duckdb"
    done = run_process(
        cli("run", "--source-dir", str(source), "--warehouse", str(warehouse)),
        job_env(tmp_path, warehouse),
    )
    assert done.returncode == 2
    assert str(source) in _one_error_line(done.stderr)
    assert not (tmp_path / "target").exists()  # dbt never ran


def test_run_without_dbt_installed_fails_in_one_line_before_loading(
    tiny_sources: Path, tmp_path: Path
):
    """A Python that cannot import dbt: an empty `dbt` package first on its path (a broken
    install); `run` runs dbt in a child of this same Python, so it checks the import."""
    shadow = tmp_path / "shadow"
    (shadow / "dbt").mkdir(parents=True)
    (shadow / "dbt" / "__init__.py").write_text("")
    warehouse = tmp_path / "wh.duckdb"
    env = job_env(tmp_path, warehouse, PYTHONPATH=os.pathsep.join([str(shadow), str(PROJECT_DIR)]))
    args = cli("run", "--source-dir", str(tiny_sources), "--warehouse", str(warehouse), "--quiet")
    done = run_process(args, env)
    assert done.returncode == 2
    assert "dbt is not installed" in _one_error_line(done.stderr)
    assert not warehouse.exists()  # nothing loaded


@pytest.mark.parametrize("how", ["env", "option"])
def test_a_tilde_in_the_warehouse_path_means_home(how: str, tiny_sources: Path, tmp_path: Path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = job_env(tmp_path, "~/env.duckdb", HOME=str(home), PYTHONPATH=str(PROJECT_DIR))
    args = ["load", "--source-dir", str(tiny_sources), "--quiet"]
    if how == "option":
        args.append("--warehouse=~/option.duckdb")
    done = subprocess.run(cli(*args), cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (home / f"{how}.duckdb").is_file()
    assert list(work.iterdir()) == []  # no literal ./~ folder
