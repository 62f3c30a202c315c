"""The agreement check must fail loudly when the approaches' tables differ."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmarks.agreement import Disagreement, check_agreement

ROWS = [
    ("Ireland", "2019-12-01", 10.25, 3),
    ("United Kingdom", "2019-12-01", 1200.10, 40),
    ("United Kingdom", "2019-12-02", -5.00, 1),
]


def _table(path: Path, rows: list[tuple[str, str, float, int]]) -> Path:
    values = ", ".join(f"('{c}', date '{d}', {r}, {n})" for c, d, r, n in rows)
    duckdb.sql(
        f"copy (select * from (values {values}) as t (country, revenue_date, revenue, "
        f"invoice_lines)) to '{path}' (format parquet)"
    )
    return path


def test_identical_tables_agree(tmp_path: Path) -> None:
    a = _table(tmp_path / "a.parquet", ROWS)
    b = _table(tmp_path / "b.parquet", list(reversed(ROWS)))
    totals = check_agreement({"a": a, "b": b})
    assert totals["a"].rows == 3
    assert round(totals["b"].revenue, 2) == 1205.35


def test_a_cent_off_is_a_disagreement(tmp_path: Path) -> None:
    wrong = [*ROWS[:2], ("United Kingdom", "2019-12-02", -4.99, 1)]
    a, b = _table(tmp_path / "a.parquet", ROWS), _table(tmp_path / "b.parquet", wrong)
    with pytest.raises(Disagreement, match=r"revenue: a 1205\.35 vs b 1205\.36"):
        check_agreement({"a": a, "b": b})


def test_a_missing_day_is_a_disagreement(tmp_path: Path) -> None:
    a = _table(tmp_path / "a.parquet", ROWS)
    b = _table(tmp_path / "b.parquet", ROWS[:2])
    c = _table(tmp_path / "c.parquet", ROWS)
    with pytest.raises(Disagreement, match="rows: a 3 vs b 2"):
        check_agreement({"a": a, "c": c, "b": b})


def test_moved_revenue_with_equal_totals_is_a_disagreement(tmp_path: Path) -> None:
    moved = [
        ("Ireland", "2019-12-01", 11.25, 3),
        ("United Kingdom", "2019-12-01", 1199.10, 40),
        ROWS[2],
    ]
    a, b = _table(tmp_path / "a.parquet", ROWS), _table(tmp_path / "b.parquet", moved)
    with pytest.raises(Disagreement, match="Ireland 2019-12-01"):
        check_agreement({"a": a, "b": b})
