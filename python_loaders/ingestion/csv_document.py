"""Whole-file facts about CSV files: the header line, and why DuckDB rejected a file.

`header_fields` reads the first line only (ended by `\\n`, `\\r\\n` or a lone
`\\r`). `explain_csv_error` runs only after DuckDB's reader has failed: it
reads the file once with the standard library's csv module and names the
line and the problem (an unbalanced quote by the line where the quote
opened; a row with the wrong number of fields), or mixed line endings,
which DuckDB's reader does not accept in one file.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

_HEADER_BYTES = 1 << 20
_BLOCK = 1 << 20


class CsvDocumentError(ValueError):
    """The file's header cannot be read; the message says why (one line)."""


def header_fields(path: Path) -> tuple[list[str], str]:
    """The header's field names (csv module, strict UTF-8) and the header line's text."""
    with path.open("rb") as handle:
        first = handle.read(_HEADER_BYTES)
    cut = min((i for i in (first.find(b"\r"), first.find(b"\n")) if i >= 0), default=len(first))
    try:
        text = first[:cut].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvDocumentError(
            "not valid UTF-8 text (wrong encoding, e.g. UTF-16 or Latin-1?)"
        ) from None
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as error:
        raise CsvDocumentError(f"line 1 (the header) is not valid CSV: {error}") from None
    header = rows[0] if rows else []
    if not header or not any(name.strip() for name in header):
        raise CsvDocumentError("no CSV header row on line 1")
    return header, text


def delimiter_hint(header_line: str) -> str | None:
    """The delimiter a header line seems to use instead of a comma, if any."""
    counts = {name: header_line.count(char) for char, name in _OTHER_DELIMITERS.items()}
    best = max(counts, key=lambda name: counts[name])
    return best if counts[best] else None


_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}


def line_endings(path: Path) -> set[str]:
    """Which line endings the file uses: a subset of {'CRLF', 'LF', 'CR'}."""
    kinds: set[str] = set()
    previous = b""
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            data = previous + block
            # hold back a final \r: its \n may start the next block
            tail = data[-1:] == b"\r" and len(block) == _BLOCK
            body = data[:-1] if tail else data
            crlf = body.count(b"\r\n")
            if crlf:
                kinds.add("CRLF")
            if body.count(b"\n") > crlf:
                kinds.add("LF")
            if body.count(b"\r") > crlf:
                kinds.add("CR")
            previous = b"\r" if tail else b""
    if previous:
        kinds.add("CR")
    return kinds


def explain_csv_error(path: Path, expected_fields: int) -> str | None:
    """Why a comma-separated file is not valid, naming the line; None when no reason is found.

    A Python loop over the rows: used only to explain a file DuckDB rejected.
    """
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        start = 1
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                return _quote_problem(start, reader.line_num, str(error))
            if row and len(row) != expected_fields:
                return (
                    f"line {start}: expected {expected_fields} fields (as in the header),"
                    f" found {len(row)}"
                )
    kinds = line_endings(path)
    if len(kinds) > 1:
        return (
            f"mixed line endings ({' and '.join(sorted(kinds))}) in one file:"
            " save it with one kind of line ending"
        )
    return None


def _quote_problem(start: int, end: int, problem: str) -> str:
    if "unexpected end of data" in problem or end > start:
        return f"unbalanced quote: the quoted field opened on line {start} is never closed"
    if "expected after" in problem:
        return (
            f"line {start}: text after a closing quote (a quote inside a quoted field"
            ' must be written "")'
        )
    return f"line {start}: {problem}"
