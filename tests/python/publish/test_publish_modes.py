"""File modes: the private warehouse owner-only, the published copy readable by the group."""

from __future__ import annotations

import os
import stat


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
    exports = publish_runs.analytics.parent / "exports"
    folders = [exports, *(path for path in exports.rglob("*") if path.is_dir())]
    files = [path for path in exports.rglob("*") if path.is_file() and not path.is_symlink()]
    assert len(files) >= 14
    assert {_mode(folder) for folder in folders} == {0o750}
    assert {_mode(file) for file in files} == {0o640}
