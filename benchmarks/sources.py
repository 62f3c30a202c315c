"""Scratch source directories: generated data and the "all months but the last" copy.

The incremental scenario lands every month but the last, builds, then lands the
last month. The partial directory holds hard links (not copies, not symlinks) to
the generated files, so the loader sees ordinary files with the same relative
paths and the same content hashes, at no disk cost.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from python_loaders.source_layout import INVOICE_SUFFIX, INVOICES_DIR

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_of(path: Path) -> str:
    """'YYYY-MM' from an invoice file name (invoices-2019-12.json -> 2019-12)."""
    match = _MONTH.search(path.name)
    if match is None:
        raise ValueError(f"{path}: invoice file name carries no YYYY-MM month")
    return f"{match.group(1)}-{match.group(2)}"


def invoice_files(source_dir: Path) -> list[Path]:
    """Every invoice JSON file of a source directory, sorted."""
    return sorted((source_dir / INVOICES_DIR).rglob(f"*{INVOICE_SUFFIX}"))


def last_month_files(source_dir: Path) -> list[Path]:
    """The invoice files of the latest month."""
    files = invoice_files(source_dir)
    if not files:
        raise ValueError(f"{source_dir}: no invoice files under {INVOICES_DIR}/")
    last = max(month_of(path) for path in files)
    return [path for path in files if month_of(path) == last]


def link_tree(source_dir: Path, target_dir: Path, exclude: set[Path]) -> None:
    """Recreate `source_dir` under `target_dir` as hard links, leaving out `exclude`."""
    if target_dir.exists():
        shutil.rmtree(target_dir)
    for path in sorted(source_dir.rglob("*")):
        if path.is_dir() or path in exclude:
            continue
        destination = target_dir / path.relative_to(source_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, destination)


def add_links(source_dir: Path, target_dir: Path, files: list[Path]) -> None:
    """Hard-link `files` (paths under `source_dir`) into `target_dir` at the same place."""
    for path in files:
        destination = target_dir / path.relative_to(source_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, destination)
