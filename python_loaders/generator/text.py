"""Vectorised text building: numbers to source-formatted strings, rows to bytes.

Rows are built as one Arrow string array per chunk (``binary_join_element_wise``)
and written straight from the array's data buffer, so no Python object per row
is ever created.
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Piece = pa.Array | str


def int_text(values: np.ndarray) -> pa.Array:
    """Decimal text of integers (``12``)."""
    return pc.cast(pa.array(values), pa.string())


def float_int_text(values: np.ndarray) -> pa.Array:
    """Integers written the way Python writes a whole float (``13085.0``)."""
    return pc.binary_join_element_wise(int_text(values), ".0", "")


def cents_text(cents: np.ndarray) -> pa.Array:
    """Shortest float text of ``cents / 100`` as Python's ``repr`` gives it.

    ``695 -> 6.95``, ``170 -> 1.7``, ``0 -> 0.0``, ``-1106206 -> -11062.06``.
    Exact for every value with at most two decimals (well below 2**53 cents).
    """
    cents = np.asarray(cents, dtype=np.int64)
    magnitude = np.abs(cents)
    whole = int_text(magnitude // 100)
    fraction = magnitude % 100
    one_digit = fraction % 10 == 0
    fraction_text = pc.if_else(
        pa.array(one_digit),
        int_text(fraction // 10),
        pc.utf8_lpad(int_text(fraction), 2, "0"),
    )
    sign = pc.if_else(pa.array(cents < 0), "-", "")
    return pc.binary_join_element_wise(sign, whole, ".", fraction_text, "")


def pick(labels: pa.Array, codes: np.ndarray) -> pa.Array:
    """The label of each code (a vectorised lookup into a small string table)."""
    return labels.take(pa.array(codes, type=pa.int32()))


def join_row(*pieces: Piece) -> pa.Array:
    """Concatenate arrays and literal strings element-wise into one row text each."""
    return pc.binary_join_element_wise(*pieces, "")


def write_array(handle: BinaryIO, rows: pa.Array, skip_first_byte: bool = False) -> None:
    """Write the concatenated text of ``rows`` (no separator) to ``handle``."""
    if len(rows) == 0:
        return
    rows = pc.cast(rows, pa.large_string())  # 64-bit offsets: any chunk size is safe
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)
    start = int(offsets[rows.offset]) + (1 if skip_first_byte else 0)
    end = int(offsets[rows.offset + len(rows)])
    handle.write(memoryview(rows.buffers()[2])[start:end])
