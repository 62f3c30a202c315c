"""One module per source system: its raw table specs and how its files are found and read.

`SOURCES` is the registry `loading` walks; add a source by adding a module
with a `SOURCE` and listing it here.
"""

from __future__ import annotations

from python_loaders.ingestion.sources.base import Source
from python_loaders.ingestion.sources.billing import SOURCE as BILLING
from python_loaders.ingestion.sources.crm import SOURCE as CRM
from python_loaders.ingestion.sources.streaming import SOURCE as STREAMING

SOURCES: tuple[Source, ...] = (CRM, STREAMING, BILLING)

__all__ = ["SOURCES", "Source"]
