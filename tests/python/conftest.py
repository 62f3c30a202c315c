"""Shared pytest fixtures: project paths and the reference data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
REFERENCE_DIR = PROJECT_DIR.parent / "shared" / "reference-data" / "aavail"


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The real AAVAIL sample files; tests that need them are deselected where absent."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip("../shared/reference-data/aavail is not present on this machine")
    return REFERENCE_DIR
