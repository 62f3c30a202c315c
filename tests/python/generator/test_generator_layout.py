"""The generated files have exactly the reference files' layout and shapes."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import duckdb

MONTHS = [f"{2017 + (10 + k) // 12}-{(10 + k) % 12 + 1:02d}" for k in range(26)]


def _ddl(path: Path) -> dict[str, str]:
    connection = sqlite3.connect(path)
    try:
        return dict(connection.execute("select name, sql from sqlite_master").fetchall())
    finally:
        connection.close()


def _json_types(path: Path) -> list[tuple[str, str]]:
    rows = duckdb.sql(f"describe select * from read_json('{path}')").fetchall()
    return [(row[0], row[1]) for row in rows]


def test_file_layout(small_sources: Path):
    names = sorted(p.relative_to(small_sources).as_posix() for p in small_sources.rglob("*"))
    expected = sorted(
        ["aavail-customers.db", "aavail-streams.csv", "invoices"]
        + [f"invoices/invoices-{month}.json" for month in MONTHS]
    )
    assert names == expected
    assert MONTHS[0] == "2017-11"
    assert MONTHS[-1] == "2019-12"


def test_sqlite_ddl_equals_reference(small_sources: Path, reference_dir: Path):
    ours = _ddl(small_sources / "aavail-customers.db")
    theirs = _ddl(reference_dir / "aavail-customers.db")
    assert ours == theirs
    assert set(ours) == {"CUSTOMER", "INVOICE", "INVOICE_ITEM", "COUNTRY"}


def test_sqlite_lookup_tables_equal_reference(small_sources: Path, reference_dir: Path):
    for table in ("INVOICE_ITEM", "COUNTRY"):
        rows = []
        for path in (small_sources, reference_dir):
            connection = sqlite3.connect(path / "aavail-customers.db")
            rows.append(connection.execute(f"select * from {table} order by 1").fetchall())
            connection.close()
        assert rows[0] == rows[1], table


def test_csv_header_and_types_equal_reference(small_sources: Path, reference_dir: Path):
    ours = (small_sources / "aavail-streams.csv").read_bytes()
    theirs = (reference_dir / "aavail-streams.csv").read_bytes()
    assert ours.split(b"\n", 1)[0] == theirs.split(b"\n", 1)[0]
    assert b"\r" not in ours
    assert ours.endswith(b"\n")
    describe = "describe select * from read_csv('{}')"
    assert (
        duckdb.sql(describe.format(small_sources / "aavail-streams.csv")).fetchall()
        == duckdb.sql(describe.format(reference_dir / "aavail-streams.csv")).fetchall()
    )
    # the plan id is written as a float, a blank stream id as nothing
    assert re.search(rb"\n\d+,\d+,\d{4}-\d\d-\d\d,[123]\.0,0\n", ours)
    assert re.search(rb"\n\d+,,\d{4}-\d\d-\d\d,[123]\.0,[01]\n", ours)


def test_json_keys_and_types_equal_reference(small_sources: Path, reference_dir: Path):
    for month in ("2017-11", "2019-12"):
        ours = small_sources / "invoices" / f"invoices-{month}.json"
        theirs = reference_dir / "invoices" / f"invoices-{month}.json"
        our_keys = list(json.loads(ours.read_text())[0])
        their_keys = list(json.loads(theirs.read_text())[0])
        assert our_keys == their_keys, month
        assert _json_types(ours) == _json_types(theirs), month


def test_json_is_one_compact_line_formatted_like_reference(small_sources: Path):
    record = re.compile(
        r'\{"country":"[^"]+","customer_id":(null|\d+\.0),"invoice":"[A-Z]?\d{6,}",'
        r'"(price|total_price)":-?\d+\.\d{1,2},"(stream_id|StreamID)":"[^"]+",'
        r'"(times_viewed|TimesViewed)":\d+,"year":"\d{4}","month":"\d\d","day":"\d\d"\}'
    )
    for month in MONTHS:
        text = (small_sources / "invoices" / f"invoices-{month}.json").read_text()
        assert "\n" not in text
        assert text.startswith('[{"country":"') and text.endswith('"}]'), month
        records = text[1:-1].split("},{")
        assert len(records) == len(json.loads(text))
        assert all(record.fullmatch("{" + r.strip("{}") + "}") for r in records), month
        year, number = month.split("-")
        assert f'"year":"{year}","month":"{number}"' in text


def test_field_names_drift(small_sources: Path):
    keys = {}
    for month in MONTHS:
        first = json.loads((small_sources / "invoices" / f"invoices-{month}.json").read_text())[0]
        keys[month] = set(first)
    assert "price" in keys["2017-11"] and "stream_id" in keys["2017-11"]
    assert "total_price" in keys["2019-12"]
    variants = {
        frozenset(k - {"country", "customer_id", "invoice", "year", "month", "day"})
        for k in keys.values()
    }
    seen = set().union(*variants)
    assert {"price", "total_price", "stream_id", "StreamID", "times_viewed", "TimesViewed"} <= seen
