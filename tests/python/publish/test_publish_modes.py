"""File modes: the private warehouse owner-only, the published copy readable by the group."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import duckdb
from publish_helpers import PROJECT_DIR


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_private_warehouse_and_its_wal_are_owner_only(publish_runs):
    modes = publish_runs.modes
    assert modes["warehouse"] == {0o600}
    assert modes["wal"], "the watcher never saw the WAL of a write: it cannot check its mode"
    assert modes["wal"] == {0o600}
    assert modes["spill"] <= {0o700}
    assert _mode(publish_runs.warehouse) == 0o600


def test_published_file_and_exports_are_group_readable_not_world(publish_runs):
    assert _mode(publish_runs.analytics) == 0o640
    # its folder existed as 0700 (as data/ made by `load`): publish let the group in
    assert _mode(publish_runs.analytics.parent) == 0o750
    exports = publish_runs.analytics.parent / "exports"
    folders = [exports, *(path for path in exports.rglob("*") if path.is_dir())]
    files = [path for path in exports.rglob("*") if path.is_file() and not path.is_symlink()]
    # every exported table file of the publication is among the files checked
    manifest = json.loads((exports / "manifest.json").read_text())
    assert manifest["files"]
    assert {(exports / entry["path"]).resolve() for entry in manifest["files"]} <= {
        file.resolve() for file in files
    }
    assert {_mode(folder) for folder in folders} == {0o750}
    assert {_mode(file) for file in files} == {0o640}


def test_load_makes_an_existing_world_readable_warehouse_owner_only(tmp_path):
    # a warehouse created before this rule (mode 0644) is tightened by the next `load`
    warehouse = tmp_path / "old" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    duckdb.connect(str(warehouse)).close()
    os.chmod(warehouse, 0o644)
    sources = tmp_path / "sources"
    for args in (
        ["generate", "--out", str(sources), "--customers", "20", "--invoice-lines", "100"],
        ["load", "--source-dir", str(sources), "--warehouse", str(warehouse), "--quiet"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "python_loaders", *args],
            cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert _mode(warehouse) == 0o600


SPILL = """
import os, stat, sys
from pathlib import Path
import duckdb
from python_loaders.common.permissions import make_private
warehouse = Path(sys.argv[1])
make_private(warehouse)  # what `load`, `run` and the dbt plugin do first
config = {"memory_limit": "32MB", "threads": 1, "preserve_insertion_order": False}
con = duckdb.connect(str(warehouse), config=config)
con.execute("set enable_progress_bar = false")
con.execute("create table t as select i, md5(i::varchar) as h from range(1000000) r(i)")
con.execute("select h, i from t order by h").fetchall()  # larger than 32MB: spills
for path in sorted(warehouse.parent.iterdir()):  # while the spill folder and WAL exist
    print(path.name, oct(stat.S_IMODE(os.stat(path).st_mode)))
"""


def test_wal_and_spill_folder_made_under_the_private_umask_are_owner_only(tmp_path):
    # DuckDB spills to <warehouse>.tmp/ past its memory limit (the runs above never do)
    warehouse = tmp_path / "warehouse.duckdb"
    done = subprocess.run(
        [sys.executable, "-c", SPILL, str(warehouse)],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    modes = dict(line.split() for line in done.stdout.splitlines())
    assert modes == {
        "warehouse.duckdb": "0o600",
        "warehouse.duckdb.wal": "0o600",
        "warehouse.duckdb.tmp": "0o700",
    }
