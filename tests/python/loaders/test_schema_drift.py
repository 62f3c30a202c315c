"""Guarantee 4: drifting field names map to one set; unknown fields are kept and reported."""

from __future__ import annotations

import json

from loader_helpers import DROP, invoice_line, load, query

from python_loaders.ingestion.loading import summary

ALIASED = {"price": DROP, "stream_id": DROP, "times_viewed": DROP}


def test_aliases_map_to_the_contract_names_case_insensitively(billing_dir, warehouse):
    sources = billing_dir(
        {
            "a.json": [
                invoice_line(invoice="a1", **ALIASED, total_price=1.5, StreamID="S1", TimesViewed=3)
            ],
            "b.json": [
                invoice_line(invoice="b1", **ALIASED, TOTAL_PRICE=2.5, streamid="S2", timesviewed=4)
            ],
            # two spellings of one field in one file (DuckDB column names ignore case)
            "c.json": [
                invoice_line(invoice="c1", price=3.5, stream_id=DROP, Stream_ID="S3"),
                invoice_line(invoice="d1", price=4.5, stream_id="S4"),
            ],
        }
    )

    result = load(sources, warehouse)

    assert result.exit_code == 0 and result.rows_rejected == 0
    rows = query(
        warehouse,
        "select invoice, price, stream_id, times_viewed, _extra_fields"
        " from raw_billing.invoice_lines order by invoice",
    )
    assert rows == [
        ("a1", 1.5, "S1", 3, None),
        ("b1", 2.5, "S2", 4, None),
        ("c1", 3.5, "S3", 12, None),
        ("d1", 4.5, "S4", 12, None),
    ]


def test_an_unknown_field_is_kept_in_extra_fields_and_reported(billing_dir, warehouse, capsys):
    records = [invoice_line(invoice=str(k)) for k in range(1, 4)]
    records[2]["coupon_code"] = "XMAS"  # appears only in the last record
    sources = billing_dir({"a.json": records})

    result = load(sources, warehouse)

    assert result.exit_code == 0
    extras = query(
        warehouse,
        "select invoice, _extra_fields from raw_billing.invoice_lines order by invoice",
    )
    assert extras[0] == ("1", None) and extras[1] == ("2", None)
    assert json.loads(extras[2][1]) == {"coupon_code": "XMAS"}
    assert query(warehouse, "select unknown_fields from raw_meta.files") == [(["coupon_code"],)]
    assert "unknown fields kept in _extra_fields: invoices/a.json: coupon_code" in summary(result)
    assert capsys.readouterr().out == ""  # the library returns its summary; the CLI prints it


def test_a_missing_required_field_rejects_rows_with_a_reason(billing_dir, warehouse):
    sources = billing_dir({"a.json": [invoice_line(stream_id=DROP), invoice_line(stream_id=DROP)]})

    result = load(sources, warehouse)

    assert result.exit_code == 1  # 100% of rows rejected > 1%
    assert query(warehouse, "select source_row, reason from raw_meta.rejected_rows order by 1") == [
        (1, "missing required field stream_id"),
        (2, "missing required field stream_id"),
    ]


def test_an_extra_csv_column_is_kept_and_reported(tmp_path, warehouse):
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "aavail-streams.csv").write_text(
        "customer_id,stream_id,date,invoice_item_id,subscription_stopped,device\n"
        "1,1420,2018-10-21,2.0,0,tv\n"
    )

    load(sources, warehouse)

    assert query(warehouse, "select _extra_fields from raw_streaming.streams") == [
        ('{"device":"tv"}',)
    ]
    assert query(warehouse, "select unknown_fields from raw_meta.files") == [(["device"],)]
