"""A JSON file is read once, and every key of every record counts (no sample).

DuckDB's `read_json` infers its columns from the first 20,480 records of a
file (`sample_size`): a field that first appears after them would be
silently dropped. The loader reads each file once into a stage table and
finds its keys there, so a field first seen late is kept like any other:
unknown ones in `_extra_fields`, drifting names mapped, conflicting drifting
names rejected row by row.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from loader_helpers import DROP, invoice_line, load, query, write_json

from python_loaders.ingestion import audit
from python_loaders.ingestion.landing import LandingContext, land
from python_loaders.ingestion.readers import read_json_array
from python_loaders.ingestion.sources.billing import INVOICE_LINES

DUCKDB_SAMPLE = 20_480  # read_json's default sample_size
RECORDS = DUCKDB_SAMPLE + 4_000


def _late_fields_file(path: Path) -> dict[int, str]:
    """RECORDS invoice lines; past DuckDB's sample, rows with fields never seen before.

    Returns the record numbers (from 1) of the late rows, with what each carries.
    """
    records = [invoice_line(invoice=str(k)) for k in range(1, RECORDS + 1)]
    late = {
        DUCKDB_SAMPLE + 1: "unknown",  # a field the contract does not know
        DUCKDB_SAMPLE + 500: "alias",  # a drifting name of a known column, alone
        RECORDS: "conflict",  # a drifting name AND the contract name, both with a value
    }
    records[DUCKDB_SAMPLE]["coupon_code"] = "XMAS"
    alias = records[DUCKDB_SAMPLE + 499]
    alias.pop("times_viewed")
    alias["TimesViewed"] = 7
    records[RECORDS - 1]["total_price"] = 99.5
    write_json(path, records)
    return late


def test_fields_first_seen_after_duckdbs_sample_land_like_any_other(billing_dir, warehouse):
    sources = billing_dir({})
    late = _late_fields_file(sources / "invoices" / "late.json")

    result = load(sources, warehouse)

    assert (result.rows_read, result.rows_landed, result.rows_rejected) == (RECORDS, RECORDS - 1, 1)
    by_kind = {kind: row for row, kind in late.items()}
    unknown = query(
        warehouse,
        "select _source_row, _extra_fields from raw_billing.invoice_lines"
        " where _extra_fields is not null",
    )
    assert [(row, json.loads(extra)) for row, extra in unknown] == [
        (by_kind["unknown"], {"coupon_code": "XMAS"})
    ]
    assert query(warehouse, "select unknown_fields from raw_meta.files") == [(["coupon_code"],)]
    assert query(
        warehouse,
        "select times_viewed from raw_billing.invoice_lines where _source_row = ?",
        [by_kind["alias"]],
    ) == [(7,)]
    rejected = query(warehouse, "select source_row, reason, record from raw_meta.rejected_rows")
    assert [(row, reason) for row, reason, _ in rejected] == [
        (
            by_kind["conflict"],
            "fields price, total_price all hold a value for column price (one would be lost)",
        )
    ]
    assert json.loads(rejected[0][2])["total_price"] == 99.5  # the record as written
    landed_rows = query(
        warehouse, "select count(distinct _source_row) from raw_billing.invoice_lines"
    )
    assert landed_rows == [(RECORDS - 1,)]


def test_landing_needs_the_file_no_more_once_it_is_read(tmp_path: Path):
    """The reader's one read is all: landing works from the stage even with the file gone."""
    path = tmp_path / "invoices" / "m.json"
    records = [invoice_line(invoice=str(k)) for k in range(1, 2_001)]
    records[1_500]["note"] = "late"
    records[1_600]["price"] = "abc"  # a bad row: the rejected-rows query reads the stage too
    records[1_700]["times_viewed"] = DROP
    write_json(path, [{k: v for k, v in r.items() if v is not DROP} for r in records])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        audit.create(con)
        con.execute(f"create schema {INVOICE_LINES.schema}")
        con.execute(INVOICE_LINES.create_sql())
        con.begin()
        staged = read_json_array(con, path, INVOICE_LINES)
        path.unlink()  # from here on, nothing can read the file

        counts = [land(con, s, LandingContext(1, "invoices/m.json")) for s in staged]

        con.commit()
        assert [(c.rows_read, c.rows_landed, c.rows_rejected) for c in counts] == [
            (2_000, 1_999, 1)
        ]
        assert counts[0].unknown_fields == ["note"]
        assert con.execute("select source_row, reason from raw_meta.rejected_rows").fetchall() == [
            (1_601, "price is not a number")
        ]
        assert con.execute(
            "select times_viewed from raw_billing.invoice_lines where _source_row = 1701"
        ).fetchall() == [(None,)]
    finally:
        con.close()
