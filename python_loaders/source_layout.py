"""The layout of a source folder, written once: the generator writes it, ingestion finds it.

A source folder holds (paths relative to it, `/`-separated):

- `aavail-customers.db`: the CRM's SQLite database (with, when copied while in
  use, its `-wal` / `-shm` / `-journal` side files, read together with it);
- `aavail-streams*.csv` at the top: stream-event exports (the name matched
  case-insensitively, so `aavail-streams.CSV` too);
- `invoices/**/*.json`: billing's invoice-line arrays, one file per month
  (`invoices-YYYY-MM.json` as the generator names them; `.JSON` matches too).

Imported by the generator (python_loaders.generator), the loaders
(python_loaders.ingestion) and the benchmarks; nothing else spells these names.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

CRM_FILE = "aavail-customers.db"
SQLITE_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
STREAMS_PATTERN = "aavail-streams*.csv"  # compared with the lower-cased name
STREAMS_FILE = "aavail-streams.csv"  # the one export the generator writes
INVOICES_DIR = "invoices"
INVOICE_SUFFIX = ".json"  # compared with the lower-cased name

EXPECTED_FILES = f"{CRM_FILE}, {STREAMS_PATTERN} or {INVOICES_DIR}/**/*{INVOICE_SUFFIX}"


def invoice_file_name(year: int, month: int) -> str:
    """The generator's name for one month of invoice lines: `invoices-2019-12.json`."""
    return f"{INVOICES_DIR}-{year}-{month:02d}{INVOICE_SUFFIX}"


def is_crm_file(rel: str) -> bool:
    """The CRM database, at the top of the folder."""
    return rel == CRM_FILE


def is_crm_side_file(rel: str) -> bool:
    """A SQLite side file of the CRM database (read together with it, never on its own)."""
    return any(rel.endswith(CRM_FILE + suffix) for suffix in SQLITE_SIDE_SUFFIXES)


def is_streams_file(rel: str) -> bool:
    """A stream-event export, at the top of the folder."""
    return "/" not in rel and fnmatchcase(rel.lower(), STREAMS_PATTERN)


def is_invoice_file(rel: str) -> bool:
    """A billing file: any `.json` under `invoices/`."""
    return rel.startswith(INVOICES_DIR + "/") and rel.lower().endswith(INVOICE_SUFFIX)
