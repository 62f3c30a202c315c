"""``generate_sources``: write one consistent synthetic AAVAIL source directory.

Every random draw comes from a numpy generator seeded by ``(seed, part[, month])``,
so the same seed and sizes give byte-identical files, and each month's draws
do not depend on how the work is chunked.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from python_loaders.common.errors import UserError
from python_loaders.generator import billing, timeline
from python_loaders.generator.crm import Customers, build_customers, duplicate_positions, write_crm
from python_loaders.generator.streams import write_streams
from python_loaders.source_layout import CRM_FILE, INVOICES_DIR, STREAMS_FILE, invoice_file_name

DEFAULT_CUSTOMERS = 1_000
DEFAULT_INVOICE_LINES = 100_000

# Independent random streams, one per part of the universe.
_CUSTOMERS, _STREAMS, _CALENDAR, _PRODUCTS, _MONTH = 1, 2, 3, 4, 5


@dataclass(frozen=True)
class GenerationSummary:
    """What was written."""

    out_dir: Path
    seed: int
    customers: int
    customer_rows: int
    stream_rows: int
    invoice_lines: int
    invoice_files: int
    seconds: float

    def line(self) -> str:
        return (
            f"generated {self.customers:,} customers ({self.customer_rows:,} CRM rows), "
            f"{self.stream_rows:,} stream rows and {self.invoice_lines:,} invoice lines "
            f"in {self.invoice_files} monthly files under {self.out_dir} "
            f"(seed {self.seed}, {self.seconds:.1f}s)"
        )


def _rng(seed: int, *parts: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *parts]))


def _prepare(out_dir: Path) -> Path:
    """Create ``out_dir/invoices``; a UserError when that is impossible."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"--out {out_dir}: exists and is not a directory")
    try:
        (out_dir / INVOICES_DIR).mkdir(parents=True, exist_ok=True)
        probe = out_dir / ".write-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise UserError(f"--out {out_dir}: cannot write there ({error.strerror})") from None
    return out_dir


def generate_sources(
    out_dir: Path,
    *,
    seed: int = 42,
    customers: int | None = None,
    invoice_lines: int | None = None,
    quiet: bool = False,
) -> GenerationSummary:
    """Write ``aavail-customers.db``, ``aavail-streams.csv`` and 26 ``invoices/*.json``.

    ``customers`` (default 1,000) distinct CRM customers, each with stream rows;
    ``invoice_lines`` (default 100,000) billing lines in total over 2017-11..2019-12.
    Prints one summary line to stderr unless ``quiet``.
    """
    began = time.perf_counter()
    customer_count = DEFAULT_CUSTOMERS if customers is None else customers
    line_count = DEFAULT_INVOICE_LINES if invoice_lines is None else invoice_lines
    if seed < 0:
        raise UserError(f"--seed must be 0 or more, got {seed}")
    if customer_count < 1:
        raise UserError(f"--customers must be at least 1, got {customer_count}")
    if line_count < 0:
        raise UserError(f"--invoice-lines must be 0 or more, got {line_count}")
    out_dir = _prepare(Path(out_dir))

    try:
        people = build_customers(_rng(seed, _CUSTOMERS), customer_count)
        history = write_streams(out_dir / STREAMS_FILE, _rng(seed, _STREAMS), people)
        duplicates = duplicate_positions(_rng(seed, _CUSTOMERS, 1), customer_count)
        crm_rows = write_crm(
            out_dir / CRM_FILE, people, duplicates, history.signup_date, history.last_stream
        )
        _write_billing(out_dir / INVOICES_DIR, seed, people, line_count)
    except OSError as error:
        raise UserError(f"--out {out_dir}: write failed ({error.strerror or error})") from None

    summary = GenerationSummary(
        out_dir=out_dir,
        seed=seed,
        customers=customer_count,
        customer_rows=crm_rows,
        stream_rows=history.rows,
        invoice_lines=line_count,
        invoice_files=len(timeline.MONTHS),
        seconds=time.perf_counter() - began,
    )
    if not quiet:
        print(summary.line(), file=sys.stderr)
    return summary


def _write_billing(folder: Path, seed: int, people: Customers, line_count: int) -> None:
    """All 26 monthly invoice files; lines spread over days by the timeline weights."""
    calendar_rng = _rng(seed, _CALENDAR)
    days = timeline.all_days()
    weights = timeline.day_weights(days)
    lines_per_day = calendar_rng.multinomial(line_count, weights / weights.sum())
    adjustments = timeline.adjustment_days(calendar_rng)
    products = billing.build_products(_rng(seed, _PRODUCTS))
    customer_p = people.purchase_weight / people.purchase_weight.sum()
    state = billing.BillingState()
    month_of_day = timeline.month_index(days)
    adjustment_month = timeline.month_index(adjustments)
    adjustment_dom = (adjustments - adjustments.astype("datetime64[M]")).astype(np.int64) + 1
    for index, (year, month) in enumerate(timeline.MONTHS):
        lines = billing.month_lines(
            _rng(seed, _MONTH, index),
            lines_per_day[month_of_day == index],
            adjustment_dom[adjustment_month == index],
            people,
            customer_p,
            products,
            state,
        )
        billing.write_month(folder / invoice_file_name(year, month), year, index, lines)
