"""Stream events (``aavail-streams.csv``): 2-29 rows per customer.

Each customer streams between a first and a last day; ~29% cancel, and their
last row carries ``subscription_stopped = 1``. The plan column repeats the
customer's INVOICE.invoice_item_id written as a float (``2.0``); ~6% of rows
have a blank ``stream_id`` and ~0.04% are exact copies of the row before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from python_loaders.generator import timeline
from python_loaders.generator.crm import Customers
from python_loaders.generator.text import float_int_text, int_text, join_row, write_array

HEADER = b"customer_id,stream_id,date,invoice_item_id,subscription_stopped\n"
CANCEL_SHARE = 0.29
BLANK_STREAM_SHARE = 0.06
DUPLICATE_ROW_SHARE = 0.0004
STREAM_IDS = (1050, 1777)  # [low, high): the content catalogue's ids
CUSTOMERS_PER_CHUNK = 50_000


@dataclass(frozen=True)
class StreamHistory:
    """Per customer (aligned with Customers): the INVOICE dates, plus the row count."""

    signup_date: np.ndarray  # datetime64[D]
    last_stream: np.ndarray  # datetime64[D]
    rows: int


def _chunk_rows(
    rng: np.random.Generator, customers: Customers, start: int, stop: int
) -> tuple[pa.Array, np.ndarray, np.ndarray, int]:
    """Text rows for customers [start, stop); their signup and last-stream dates."""
    count = stop - start
    per_customer = 2 + rng.binomial(27, 0.62, size=count)  # 2..29, mean ~19
    window = (timeline.STREAM_LAST_DAY - timeline.STREAM_FIRST_DAY).astype(np.int64)
    first = rng.integers(0, window - 13, size=count)
    cancels = np.zeros(count, dtype=bool)  # exactly ~29% of each chunk's customers cancel
    cancels[rng.choice(count, size=round(count * CANCEL_SHARE), replace=False)] = True
    wanted_span = np.where(cancels, rng.exponential(80.0, count), rng.exponential(200.0, count))
    span = np.minimum(wanted_span.astype(np.int64) + per_customer, window - first)

    owner = np.repeat(np.arange(count), per_customer)
    offset = np.floor(rng.random(len(owner)) * (span[owner] + 1)).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(per_customer)[:-1]))
    offset[starts] = 0
    offset = np.sort(owner * 100_000 + offset) - owner * 100_000  # sort within customer
    day = timeline.STREAM_FIRST_DAY + first[owner] + offset

    ends = starts + per_customer - 1
    stopped = np.zeros(len(owner), dtype=np.int64)
    stopped[ends[cancels]] = 1
    stream_id = rng.integers(*STREAM_IDS, size=len(owner))
    blank = rng.random(len(owner)) < BLANK_STREAM_SHARE

    stream_id, blank = _no_accidental_duplicates(owner, offset, stream_id, blank)

    first_day = day[starts]
    last_day = day[ends]
    signup = first_day - rng.integers(0, 6, size=count)
    last_stream = last_day + rng.integers(0, 4, size=count)

    copies = np.ones(len(owner), dtype=np.int64)
    candidates = np.flatnonzero(stopped == 0)
    duplicates = max(1, round(len(owner) * DUPLICATE_ROW_SHARE)) if len(candidates) else 0
    copies[rng.choice(candidates, size=duplicates, replace=False)] = 2
    take = np.repeat(np.arange(len(owner)), copies)

    customer_id = customers.customer_id[start:stop][owner[take]]
    plan = customers.plan[start:stop][owner[take]]
    stream_text = pc.if_else(pa.array(blank[take]), "", int_text(stream_id[take]))
    rows = join_row(
        int_text(customer_id),
        ",",
        stream_text,
        ",",
        pc.cast(pa.array(day[take]), pa.string()),
        ",",
        float_int_text(plan),
        ",",
        int_text(stopped[take]),
        "\n",
    )
    return rows, signup, last_stream, len(take)


def _no_accidental_duplicates(
    owner: np.ndarray, offset: np.ndarray, stream_id: np.ndarray, blank: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Give a repeated (customer, day, stream) row another stream id.

    Keeps accidental exact duplicates out, so the ~0.04% injected ones are the dirt.
    """
    code = np.where(blank, 0, stream_id)
    order = np.lexsort((code, offset, owner))
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (
        (owner[order][1:] == owner[order][:-1])
        & (offset[order][1:] == offset[order][:-1])
        & (code[order][1:] == code[order][:-1])
    )
    position = np.arange(len(order))
    rank = position - np.maximum.accumulate(np.where(same, 0, position))
    low, high = STREAM_IDS
    moved = stream_id.copy()
    moved[order] = low + (stream_id[order] - low + rank * 37) % (high - low)
    repeated = np.zeros(len(order), dtype=bool)
    repeated[order] = same
    return moved, blank & ~repeated


def write_streams(path: Path, rng: np.random.Generator, customers: Customers) -> StreamHistory:
    """Write the stream CSV, customer by customer in chunks; return the INVOICE dates."""
    signups: list[np.ndarray] = []
    lasts: list[np.ndarray] = []
    total = 0
    with path.open("wb") as handle:
        handle.write(HEADER)
        for start in range(0, customers.count, CUSTOMERS_PER_CHUNK):
            stop = min(start + CUSTOMERS_PER_CHUNK, customers.count)
            rows, signup, last_stream, count = _chunk_rows(rng, customers, start, stop)
            write_array(handle, rows)
            signups.append(signup)
            lasts.append(last_stream)
            total += count
    empty = np.empty(0, dtype="datetime64[D]")
    return StreamHistory(
        signup_date=np.concatenate(signups) if signups else empty,
        last_stream=np.concatenate(lasts) if lasts else empty,
        rows=total,
    )
