"""Default file locations: the warehouse, the published copy, the sample sources."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_SAMPLE_DIR = Path("data/sample_sources")
DEFAULT_ANALYTICS = Path("data/analytics.duckdb")


def default_warehouse() -> Path:
    """The warehouse file: $AAVAIL_WAREHOUSE (`~` expanded), else data/warehouse.duckdb."""
    return Path(os.environ.get("AAVAIL_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser()


def default_analytics(warehouse: Path | None = None) -> Path:
    """The published file: $AAVAIL_ANALYTICS (`~` expanded), else `analytics.duckdb` beside
    the warehouse (data/analytics.duckdb for the default warehouse)."""
    configured = os.environ.get("AAVAIL_ANALYTICS")
    if configured:
        return Path(configured).expanduser()
    return (warehouse or default_warehouse()).parent / DEFAULT_ANALYTICS.name
