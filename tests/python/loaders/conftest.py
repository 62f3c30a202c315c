"""Fixtures for the loader tests (helpers live in loader_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from loader_helpers import copy_reference, write_json


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


@pytest.fixture
def reference_copy(reference_dir: Path, tmp_path: Path) -> Path:
    return copy_reference(reference_dir, tmp_path / "sources")


@pytest.fixture
def billing_dir(tmp_path: Path) -> Callable[..., Path]:
    """Make a source dir holding only the given invoice files {relative name: records}."""

    def make(files: dict[str, list[object]]) -> Path:
        root = tmp_path / "billing_sources"
        for name, records in files.items():
            write_json(root / "invoices" / name, records)
        return root

    return make


@pytest.fixture(params=["reference", "generated"])
def sources(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A writable source dir: a copy of the real files, or a small generated one."""
    target = tmp_path / "sources"
    if request.param == "reference":
        return copy_reference(request.getfixturevalue("reference_dir"), target)
    from python_loaders.generator import generate_sources

    generate_sources(target, seed=7, customers=60, invoice_lines=3000, quiet=True)
    return target
