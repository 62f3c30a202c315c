"""Helpers for the loader tests: source dirs, hand-made files, warehouse reads, the CLI."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb

from python_loaders.ingestion.loading import LoadResult, load_sources

PROJECT_DIR = Path(__file__).resolve().parents[3]

RAW_TABLES = (
    "raw_crm.customer",
    "raw_crm.country",
    "raw_crm.invoice",
    "raw_crm.invoice_item",
    "raw_streaming.streams",
    "raw_billing.invoice_lines",
)


def load(source_dir: Path, warehouse: Path, **options: object) -> LoadResult:
    """Run the loader in-process, quietly, with test-friendly defaults."""
    settings: dict[str, object] = {"max_reject_rate": 0.01, "lock_timeout": 5.0, "quiet": True}
    settings.update(options)
    return load_sources(source_dir, warehouse, **settings)  # type: ignore[arg-type]


def query(warehouse: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    """Read the warehouse through a separate, short-lived read-only connection."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(warehouse: Path, tables: tuple[str, ...] = RAW_TABLES) -> dict[str, list[tuple]]:
    """Every row of the given tables, sorted, without the per-run columns."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        result = {}
        for table in tables:
            result[table] = sorted(
                con.execute(f"select * exclude (_loaded_at) from {table}").fetchall(), key=repr
            )
        return result
    finally:
        con.close()


def copy_reference(reference_dir: Path, target: Path) -> Path:
    """A writable copy of the real source files (copyfile: the originals are read-only)."""
    for path in reference_dir.rglob("*"):
        if path.is_file() and path.name != "README.md":
            dest = target / path.relative_to(reference_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    return target


DROP = object()  # pass as a field value to leave the field out of the record


def invoice_line(**overrides: object) -> dict[str, object]:
    """One valid billing record in the reference shape."""
    record: dict[str, object] = {
        "country": "United Kingdom",
        "customer_id": 13085.0,
        "invoice": "489434",
        "price": 6.95,
        "stream_id": "85048",
        "times_viewed": 12,
        "year": "2017",
        "month": "11",
        "day": "28",
    }
    record.update(overrides)
    return {k: v for k, v in record.items() if v is not DROP}


def write_json(path: Path, records: list[object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def write_csv(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_crm(path: Path, customers: list[tuple], *, drop_table: str | None = None) -> Path:
    """A small CRM SQLite file with the reference's four tables and columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript(
        """
        create table CUSTOMER (generated_id INTEGER PRIMARY KEY, customer_id integer,
            last_name text, first_name text, gender text, DOB date, city text, state text,
            country_id integer);
        create table INVOICE (generated_id INTEGER PRIMARY KEY, invoice_item_id integer,
            customer_id integer, signup_date date, last_stream date);
        create table INVOICE_ITEM (generated_id INTEGER PRIMARY KEY, invoice_item_id integer,
            invoice_item text);
        create table COUNTRY (generated_id INTEGER PRIMARY KEY, country_id integer,
            country_name text);
        insert into INVOICE_ITEM values (1, 1, 'aavail_basic'), (2, 2, 'aavail_premium');
        insert into COUNTRY values (1, 0, 'singapore'), (2, 1, 'united_states');
        insert into INVOICE values (1, 1, 1, '2018-10-18', '2019-03-30');
        """
    )
    db.executemany("insert into CUSTOMER values (?, ?, ?, ?, ?, ?, ?, ?, ?)", customers)
    if drop_table:
        db.execute(f"drop table {drop_table}")
    db.commit()
    db.close()
    return path


def customer(generated_id: int, dob: str = "07/30/98") -> tuple:
    return (generated_id, generated_id, "Kasen", "Todd", "m", dob, "Rock Hill", "Ohio", 1)


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`python -m python_loaders ...` in a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "python_loaders", *args],
        cwd=PROJECT_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def count_records(source_dir: Path) -> dict[str, int]:
    """Records per source file, counted with the standard library (an independent oracle)."""
    counts: dict[str, int] = {}
    db = sqlite3.connect(source_dir / "aavail-customers.db")
    try:
        counts["aavail-customers.db"] = sum(
            db.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("CUSTOMER", "COUNTRY", "INVOICE", "INVOICE_ITEM")
        )
    finally:
        db.close()
    for path in source_dir.glob("aavail-streams*.csv"):
        with path.open(newline="", encoding="utf-8") as handle:
            counts[path.name] = sum(1 for _ in csv.reader(handle)) - 1
    for path in (source_dir / "invoices").rglob("*.json"):
        counts[path.relative_to(source_dir).as_posix()] = len(json.loads(path.read_text()))
    return counts
