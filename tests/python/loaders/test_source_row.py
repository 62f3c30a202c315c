"""`_source_row` is the record's real position in its file, also for files read in parallel."""

from __future__ import annotations

from pathlib import Path

from loader_helpers import load, query

JSON_RECORDS = 200_000  # ~22 MB: several of DuckDB's read buffers, read by parallel threads
CSV_ROWS = 600_000  # ~20 MB


def test_record_k_of_a_large_json_file_lands_with_source_row_k(tmp_path: Path, warehouse: Path):
    path = tmp_path / "src" / "invoices" / "big.json"
    path.parent.mkdir(parents=True)
    body = ",".join(
        f'{{"country":"UK","invoice":"{k}","price":1.5,"stream_id":"s{k}",'
        f'"year":"2019","month":"01","day":"02"}}'
        for k in range(1, JSON_RECORDS + 1)
    )
    path.write_text(f"[{body}]")

    load(path.parents[1], warehouse)

    mismatched = query(
        warehouse,
        "select count(*), count(*) filter (where invoice <> _source_row::varchar)"
        " from raw_billing.invoice_lines",
    )
    assert mismatched == [(JSON_RECORDS, 0)]


def test_row_k_of_a_large_csv_file_lands_with_source_row_k(tmp_path: Path, warehouse: Path):
    path = tmp_path / "src" / "aavail-streams.csv"
    path.parent.mkdir(parents=True)
    lines = "".join(f"{k},{k},2018-01-01,2.0,0\n" for k in range(1, CSV_ROWS + 1))
    path.write_text("customer_id,stream_id,date,invoice_item_id,subscription_stopped\n" + lines)

    load(path.parent, warehouse)

    mismatched = query(
        warehouse,
        "select count(*), count(*) filter (where customer_id <> _source_row)"
        " from raw_streaming.streams",
    )
    assert mismatched == [(CSV_ROWS, 0)]
