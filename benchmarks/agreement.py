"""Check that the three approaches computed the same table; fail loudly if not.

Each approach writes a Parquet file with OUTPUT_COLUMNS, one row per country and
day with at least one invoice line. They agree when they have the same rows,
the same total revenue to the cent, the same number of invoice lines, and every
(country, day) has the same revenue (within half a cent) and line count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

OUTPUT_COLUMNS = ("country", "revenue_date", "revenue", "invoice_lines")
HALF_CENT = 0.005


class Disagreement(RuntimeError):
    """The approaches' tables differ; the message says how."""


@dataclass(frozen=True)
class Totals:
    """What must agree between the approaches."""

    rows: int
    revenue: float
    invoice_lines: int

    def as_dict(self) -> dict[str, float | int]:
        return {"rows": self.rows, "revenue": round(self.revenue, 2), "lines": self.invoice_lines}


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def table_totals(path: Path) -> Totals:
    """Rows, total revenue and total invoice lines of one approach's table."""
    with duckdb.connect() as con:
        row = con.execute(
            "select count(*), coalesce(sum(revenue), 0), coalesce(sum(invoice_lines), 0) "
            f"from read_parquet({_quoted(path)})"
        ).fetchone()
    assert row is not None
    return Totals(rows=int(row[0]), revenue=float(row[1]), invoice_lines=int(row[2]))


def _row_differences(reference: Path, other: Path, limit: int = 5) -> list[str]:
    """(country, day) rows that are missing from one side or differ, first `limit` of them."""
    with duckdb.connect() as con:
        rows = con.execute(
            f"""
            select
                coalesce(a.country, b.country) as country,
                coalesce(a.revenue_date, b.revenue_date) as revenue_date,
                a.revenue, b.revenue, a.invoice_lines, b.invoice_lines
            from read_parquet({_quoted(reference)}) as a
            full outer join read_parquet({_quoted(other)}) as b
                on a.country = b.country and a.revenue_date = b.revenue_date
            where a.country is null or b.country is null
                or abs(a.revenue - b.revenue) >= {HALF_CENT}
                or a.invoice_lines <> b.invoice_lines
            order by 1, 2
            limit {limit}
            """
        ).fetchall()
    return [
        f"{country} {day}: revenue {a_rev} vs {b_rev}, lines {a_lines} vs {b_lines}"
        for country, day, a_rev, b_rev, a_lines, b_lines in rows
    ]


def check_agreement(tables: Mapping[str, Path]) -> dict[str, Totals]:
    """Totals of every approach; raise Disagreement unless all match the first one."""
    totals = {name: table_totals(path) for name, path in tables.items()}
    names = list(tables)
    reference = names[0]
    problems: list[str] = []
    for name in names[1:]:
        ours, theirs = totals[reference], totals[name]
        if ours.rows != theirs.rows:
            problems.append(f"rows: {reference} {ours.rows} vs {name} {theirs.rows}")
        if abs(ours.revenue - theirs.revenue) >= HALF_CENT:
            problems.append(
                f"revenue: {reference} {ours.revenue:.2f} vs {name} {theirs.revenue:.2f}"
            )
        if ours.invoice_lines != theirs.invoice_lines:
            problems.append(
                f"invoice lines: {reference} {ours.invoice_lines} vs {name} {theirs.invoice_lines}"
            )
        problems.extend(
            f"{reference} vs {name}: {line}"
            for line in _row_differences(tables[reference], tables[name])
        )
    if problems:
        raise Disagreement("the approaches disagree: " + "; ".join(problems))
    return totals
