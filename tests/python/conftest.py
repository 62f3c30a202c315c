"""Shared pytest fixtures: project paths and the reference data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
REFERENCE_DIR = PROJECT_DIR.parent / "shared" / "reference-data" / "aavail"


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The real AAVAIL sample files (../shared/reference-data/aavail).

    In CI (CI=true) the folder is always beside the clone, so its absence is a
    failure; on a developer machine without it, those tests are skipped.
    """
    if not REFERENCE_DIR.is_dir():
        message = f"reference data folder not found: {REFERENCE_DIR}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return REFERENCE_DIR
