"""Whole-document checks for JSON array files, which DuckDB's reader does not make.

DuckDB's `format = 'array'` reader accepts an array cut off after a record
(`[{...},` or `[{...}` at end of file) and returns the records before the cut,
and it reads a whitespace-only file as zero records. `check_json_document`
looks at the file's first and last non-blank bytes only (O(1) in the file's
size): the document must start with `[` and end with `]` (not `,]`). A cut
that happens to end in `]` (inside a string, or after a nested array) leaves
an unfinished record, which DuckDB's reader rejects itself; trailing data
after the `]` and a second array are rejected by DuckDB too (tests cover
every cut point of real files).

`locate_json_error` runs only after DuckDB has rejected a file: it scans the
file record by record with the standard library to say where the first
syntax error is, as a byte offset of the file, a line and column, and a
record number (DuckDB's own byte offset is relative to an internal buffer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

_BLANK = b" \t\r\n"
_BLOCK = 1 << 16
_CHUNK = 1 << 20
# A record longer than this past the error point is not waited for: DuckDB's
# own limit (maximum_object_size, 16 MB, with a 2x buffer) is far below it.
_LONGEST_RECORD = 1 << 26
UTF8_BOM = b"\xef\xbb\xbf"


class JsonDocumentError(ValueError):
    """The file is not one complete JSON array; the message says why (one line)."""


def _first_blank_free(path: Path) -> tuple[int, bytes]:
    """(offset, the first non-blank byte) after an optional UTF-8 BOM; (-1, b'') if none."""
    with path.open("rb") as handle:
        offset = 0
        head = handle.read(_BLOCK)
        if head.startswith(UTF8_BOM):
            head, offset = head[len(UTF8_BOM) :], len(UTF8_BOM)
        while head:
            stripped = head.lstrip(_BLANK)
            if stripped:
                return offset + len(head) - len(stripped), stripped[:1]
            offset += len(head)
            head = handle.read(_BLOCK)
    return -1, b""


def _last_two_blank_free(path: Path, size: int) -> list[tuple[int, bytes]]:
    """The last two non-blank bytes with their offsets, last first (fewer if the file has fewer)."""
    found: list[tuple[int, bytes]] = []
    with path.open("rb") as handle:
        end = size
        while end > 0 and len(found) < 2:
            start = max(0, end - _BLOCK)
            handle.seek(start)
            block = handle.read(end - start)
            i = len(block) - 1
            while i >= 0 and len(found) < 2:
                if block[i] not in _BLANK:
                    found.append((start + i, block[i : i + 1]))
                i -= 1
            end = start
    return found


def check_json_document(path: Path) -> None:
    """Raise JsonDocumentError unless the file is shaped as one complete JSON array."""
    size = path.stat().st_size
    first_at, first = _first_blank_free(path)
    if first_at < 0:
        what = "empty" if size == 0 else "only whitespace"
        raise JsonDocumentError(f"no JSON array: the file is {what}")
    if first in (b"\xff", b"\xfe", b"\x00"):
        raise JsonDocumentError("not valid UTF-8 text (wrong encoding, e.g. UTF-16 or Latin-1?)")
    if first != b"[":
        shown = first.decode("latin-1")
        kind = "a JSON object, not an array" if first == b"{" else f"{shown!r}, not '['"
        raise JsonDocumentError(f"not a JSON array: the document starts with {kind}")
    (last_at, last), *before = _last_two_blank_free(path, size)
    previous = before[0][1] if before else b""
    if last == b"]" and previous != b"," and before:
        return
    ending = (previous + last).decode("latin-1")
    if last in (b",", b"}", b"["):
        raise JsonDocumentError(
            f"truncated JSON: the document ends with {ending!r} at byte {last_at:,},"
            " without the array's closing ']'"
        )
    if last == b"]":
        raise JsonDocumentError(
            f"malformed JSON: a trailing comma before the final ']' (byte {last_at:,})"
        )
    raise JsonDocumentError(
        f"not one complete JSON array: the document ends with {ending!r} at byte"
        f" {last_at:,}, not with the array's closing ']' (cut off, or data after the array)"
    )


@dataclass(frozen=True)
class JsonErrorPlace:
    """Where a JSON file's first syntax error is."""

    offset: int  # bytes from the start of the file
    line: int  # from 1
    column: int  # from 1, in bytes
    record: int  # the array element being read (from 1), or the last one read
    problem: str

    def describe(self) -> str:
        return (
            f"malformed JSON at byte {self.offset:,} of the file (line {self.line:,}, column"
            f" {self.column:,}, record {self.record:,}): {self.problem}"
        )


class _Scanner:
    """The file as latin-1 text, read in chunks: one character per byte, so offsets are bytes."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("rb")
        self.buf = ""
        self.base = 0  # file offset of buf[0]
        self.pos = 0
        self.lines_before = 0  # newlines before buf[0]
        self.eof = False

    def more(self) -> None:
        chunk = self.handle.read(max(_CHUNK, len(self.buf)))
        if not chunk:
            self.eof = True
        self.buf += chunk.decode("latin-1")

    def trim(self) -> None:
        if self.pos > _CHUNK:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf, self.base, self.pos = self.buf[self.pos :], self.base + self.pos, 0

    def skip_blanks(self) -> str:
        """The next non-blank character ('' at end of file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf) or self.eof:
                return self.buf[self.pos] if self.pos < len(self.buf) else ""
            self.more()

    def place(self, at: int, record: int, problem: str) -> JsonErrorPlace:
        line = self.lines_before + self.buf.count("\n", 0, at) + 1
        newline = self.buf.rfind("\n", 0, at)
        column = at - newline if newline >= 0 else self.base + at + 1
        return JsonErrorPlace(self.base + at, line, column, record, problem)


def locate_json_error(path: Path) -> JsonErrorPlace | None:
    """The first syntax error of a JSON array file, or None when the standard library finds none.

    A Python loop over the records: used only to explain a file DuckDB rejected.
    """
    decoder = json.JSONDecoder()
    scan = _Scanner(path)
    try:
        scan.more()
        if scan.buf.startswith(UTF8_BOM.decode("latin-1")):
            scan.pos = len(UTF8_BOM)
        if scan.skip_blanks() != "[":
            return scan.place(scan.pos, 0, "expected '[' (the document must be one JSON array)")
        scan.pos += 1
        record = 0
        expect_value = True
        while True:
            char = scan.skip_blanks()
            if not char:
                return scan.place(scan.pos, record, "the file ends before the array's ']'")
            if expect_value:
                if char == "]" and record == 0:
                    scan.pos += 1
                    break
                try:
                    _, end = decoder.raw_decode(scan.buf, scan.pos)
                except json.JSONDecodeError as error:
                    if not scan.eof and len(scan.buf) - scan.pos < _LONGEST_RECORD:
                        scan.more()
                        continue
                    return scan.place(error.pos, record + 1, error.msg)
                if end >= len(scan.buf) and not scan.eof:  # a number cut by the chunk
                    scan.more()
                    continue
                record += 1
                scan.pos = end
                expect_value = False
            elif char == ",":
                scan.pos += 1
                expect_value = True
            elif char == "]":
                scan.pos += 1
                break
            else:
                return scan.place(scan.pos, record, f"expected ',' or ']' after record {record:,}")
            scan.trim()
        if scan.skip_blanks():
            return scan.place(scan.pos, record, "unexpected data after the array's closing ']'")
        return None
    finally:
        scan.handle.close()
