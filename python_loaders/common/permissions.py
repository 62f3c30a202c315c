"""File modes: the private warehouse is owner-only, the published copy group-readable.

The build warehouse holds personal data, so the processes that write it
(`load`, `run` and the dbt steps they start, which inherit the umask) create
files owner-only: the DuckDB file and its WAL 0600, the spill folder
`<warehouse>.tmp/` 0700. `make_private` also tightens a warehouse created
before this rule. The published file and its exports are chmod-ed to 0640 /
0750 by `python_loaders.publishing.publish` (readable by the owner's group, the analysts).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
SHARED_FILE_MODE = 0o640
SHARED_DIR_MODE = 0o750


def warehouse_companions(warehouse: Path) -> tuple[Path, Path]:
    """The WAL file and the spill folder DuckDB keeps beside a database file."""
    return warehouse.with_name(warehouse.name + ".wal"), warehouse.with_name(
        warehouse.name + ".tmp"
    )


def make_private(warehouse: Path) -> None:
    """Owner-only from now on: this process's umask (children inherit it), existing modes."""
    os.umask(PRIVATE_UMASK)
    wal, spill = warehouse_companions(warehouse)
    for path, mode in ((warehouse, PRIVATE_FILE_MODE), (wal, PRIVATE_FILE_MODE),
                       (spill, PRIVATE_DIR_MODE)):  # fmt: skip
        try:
            os.chmod(path, mode)
        except FileNotFoundError:
            continue
