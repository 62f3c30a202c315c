"""What a source system module provides to the loader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from python_loaders.ingestion.landing import Staged
from python_loaders.ingestion.spec import TableSpec

Reader = Callable[[duckdb.DuckDBPyConnection, Path], list[Staged]]


@dataclass(frozen=True)
class Source:
    """A source system: its name, raw tables, which files are its, and how to stage one."""

    name: str
    tables: tuple[TableSpec, ...]
    matches: Callable[[str], bool]
    read: Reader
