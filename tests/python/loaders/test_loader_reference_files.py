"""The real AAVAIL files land completely, with zero rejected rows (their dirt is dbt's job)."""

from __future__ import annotations

from pathlib import Path

from loader_helpers import load, query


def test_reference_files_land_with_zero_rejected_rows(reference_dir: Path, warehouse: Path):
    result = load(reference_dir, warehouse)

    assert result.exit_code == 0
    files = query(
        warehouse,
        "select file_path, status, rows_read, rows_landed, rows_rejected from raw_meta.files"
        " order by file_path",
    )
    # Row counts are the facts stated in the reference README.
    assert files == [
        ("aavail-customers.db", "landed", 1007 + 1000 + 3 + 2, 1007 + 1000 + 3 + 2, 0),
        ("aavail-streams.csv", "landed", 18859, 18859, 0),
        ("invoices/invoices-2017-11.json", "landed", 9502, 9502, 0),
        ("invoices/invoices-2019-12.json", "landed", 19744, 19744, 0),
    ]
    assert query(warehouse, "select count(*) from raw_meta.rejected_rows") == [(0,)]


def test_reference_values_land_as_in_the_files(reference_dir: Path, warehouse: Path):
    load(reference_dir, warehouse)

    counts = query(
        warehouse,
        "select (select count(*) from raw_crm.customer), (select count(*) from raw_crm.invoice),"
        " (select count(*) from raw_crm.invoice_item), (select count(*) from raw_crm.country)",
    )
    assert counts == [(1007, 1000, 3, 2)]
    revenue = query(
        warehouse,
        "select _source_file, round(sum(price), 2), count(*) filter (where customer_id is null)"
        " from raw_billing.invoice_lines group by 1 order by 1",
    )
    # README: revenue 41,152.75 and 113,233.16; 6,327 null customer ids in 2019-12.
    assert revenue[0][1] == 41152.75
    assert revenue[1][1:] == (113233.16, 6327)
    streams = query(
        warehouse,
        "select count(*) filter (where stream_id is null), sum(subscription_stopped),"
        " min(date), max(date) from raw_streaming.streams",
    )
    assert streams[0][0] == 1164
    assert streams[0][1] == 289
    assert str(streams[0][2]) == "2018-01-02" and str(streams[0][3]) == "2019-09-03"
    items = query(
        warehouse, "select invoice_item_id, invoice_item from raw_crm.invoice_item order by 1"
    )
    assert items == [(1, "aavail_basic"), (2, "aavail_premium"), (3, "aavail_unlimited")]
    # DOB stays the file's own MM/DD/YY text.
    first = query(warehouse, "select dob, _source_row from raw_crm.customer where generated_id = 1")
    assert first == [("07/30/98", 1)]


def test_reference_record_k_lands_with_source_row_k(reference_dir: Path, warehouse: Path):
    load(reference_dir, warehouse)

    # Line 1 of the CSV body and the JSON arrays' first records, as printed in the README/files.
    first_csv = query(
        warehouse,
        "select customer_id, stream_id, date::varchar from raw_streaming.streams"
        " where _source_row = 1",
    )
    assert first_csv == [(1, "1420", "2018-10-21")]
    first_json = query(
        warehouse,
        "select invoice, price, stream_id from raw_billing.invoice_lines"
        " where _source_file = 'invoices/invoices-2017-11.json' and _source_row = 1",
    )
    assert first_json == [("489434", 6.95, "85048")]
