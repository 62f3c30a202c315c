"""Progress bars on a terminal, and the end-of-run summary table."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable
from typing import TextIO

from tqdm import tqdm

STEPS = ("hashing", "reading", "landing", "committing")


def bars_enabled(quiet: bool, stream: TextIO | None = None) -> bool:
    """Bars only on an interactive stderr and without --quiet."""
    stream = stream or sys.stderr
    return not quiet and stream.isatty()


class FileProgress:
    """One bar per file, advancing through `STEPS`; a no-op when disabled."""

    def __init__(self, label: str, size: int, *, enabled: bool) -> None:
        self._bar = tqdm(
            total=len(STEPS),
            desc=label,
            unit="step",
            disable=not enabled,
            leave=True,
            file=sys.stderr,
            bar_format="{desc:40.40} {bar:20} {postfix}",
            # A terminal that reports no size (a bare pty) would hide the bar.
            ncols=min(shutil.get_terminal_size((100, 24)).columns, 100),
            nrows=max(shutil.get_terminal_size((100, 24)).lines, 2),
        )
        self._size = size

    def step(self, name: str) -> None:
        self._bar.set_postfix_str(f"{name} ({self._size / 1e6:.1f} MB)")
        self._bar.update(1)

    def done(self, status: str) -> None:
        self._bar.set_postfix_str(status)
        self._bar.n = self._bar.total or 0
        self._bar.refresh()
        self._bar.close()


def format_table(header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> str:
    """A plain aligned text table (numbers right-aligned)."""
    body = [tuple(f"{v:,}" if isinstance(v, int) else str(v) for v in row) for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(header)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        cells = [
            v.rjust(w) if v.replace(",", "").isdigit() else v.ljust(w)
            for v, w in zip(row, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
