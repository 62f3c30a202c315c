"""The requested sizes are honoured exactly."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from python_loaders.generator import generate_sources


def _invoice_lines(folder: Path) -> int:
    return sum(len(json.loads(p.read_text())) for p in (folder / "invoices").glob("*.json"))


@pytest.mark.parametrize("lines", [0, 1, 1_234, 20_001])
def test_invoice_line_count_is_exact(tmp_path: Path, lines: int):
    summary = generate_sources(tmp_path, seed=5, customers=30, invoice_lines=lines, quiet=True)
    assert _invoice_lines(tmp_path) == lines
    assert summary.invoice_lines == lines
    assert len(list((tmp_path / "invoices").glob("invoices-*.json"))) == 26


def test_empty_months_are_empty_arrays(tmp_path: Path):
    generate_sources(tmp_path, seed=5, customers=10, invoice_lines=0, quiet=True)
    texts = {p.read_text() for p in (tmp_path / "invoices").glob("*.json")}
    assert texts == {"[]"}


@pytest.mark.parametrize("customers", [1, 37, 300])
def test_customer_count_is_exact(tmp_path: Path, customers: int):
    generate_sources(tmp_path, seed=5, customers=customers, invoice_lines=500, quiet=True)
    crm = sqlite3.connect(tmp_path / "aavail-customers.db")
    distinct = crm.execute("select count(distinct customer_id) from CUSTOMER").fetchone()[0]
    subscriptions = crm.execute("select count(*) from INVOICE").fetchone()[0]
    crm.close()
    assert distinct == customers
    assert subscriptions == customers
    csv_lines = (tmp_path / "aavail-streams.csv").read_text().splitlines()[1:]
    assert len({line.split(",")[0] for line in csv_lines}) == customers


def test_defaults_are_1000_customers_and_100000_lines(tmp_path: Path):
    summary = generate_sources(tmp_path, quiet=True)
    assert (summary.customers, summary.invoice_lines) == (1_000, 100_000)
    assert _invoice_lines(tmp_path) == 100_000
