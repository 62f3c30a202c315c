"""Helpers shared by the dbt tests that build generated sources (test_incremental,
test_incremental_grid, test_snapshot).

A module of its own (not `conftest`): pytest puts each test folder on
`sys.path`, so the tests import it as `from build_helpers import ...`
(as tests/python/publish imports publish_helpers).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def generate_sources(
    out: Path, *, seed: int = 5, customers: int = 100, invoice_lines: int = 8000
) -> None:
    """Small sample sources into `out` (by default 100 customers, 8000 invoice lines, seed 5)."""
    result = subprocess.run(
        [sys.executable, "-m", "python_loaders", "generate", "--out", str(out),
         "--seed", str(seed), "--customers", str(customers),
         "--invoice-lines", str(invoice_lines)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def month_of(file: Path) -> str:
    """The invoice month of a generated month file: `invoices-2018-11.json` -> `2018-11-01`."""
    return file.stem.removeprefix("invoices-") + "-01"


def failed_nodes(warehouse) -> set[str]:
    """The names of the nodes the warehouse's last dbt command failed or errored."""
    return {
        r["unique_id"].split(".")[2]
        for r in warehouse.run_results["results"]
        if r["status"] in ("fail", "error")
    }
