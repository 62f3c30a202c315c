"""On the real files and on generated ones: every record lands, in its place, once."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from loader_helpers import count_records, load, query


def test_every_record_of_every_file_lands_with_zero_rejects(sources: Path, warehouse: Path):
    expected = count_records(sources)

    result = load(sources, warehouse, max_reject_rate=0.0)

    assert result.exit_code == 0
    files = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            "select file_path, status, rows_read, rows_landed, rows_rejected from raw_meta.files",
        )
    }
    assert files == {path: ("landed", n, n, 0) for path, n in expected.items()}
    assert query(warehouse, "select count(*) from raw_meta.rejected_rows") == [(0,)]
    # No drifting name is left unmapped and no price lost to an alias.
    assert query(
        warehouse, "select count(*) from raw_meta.files where unknown_fields is not null"
    ) == [(0,)]
    assert query(
        warehouse, "select count(*) from raw_billing.invoice_lines where price is null"
    ) == [(0,)]


def test_record_k_lands_as_source_row_k_with_its_values(sources: Path, warehouse: Path):
    load(sources, warehouse)

    for path in (
        sorted((sources / "invoices").glob("*.json"))[:3]
        + sorted((sources / "invoices").glob("*.json"))[-1:]
    ):
        rel = path.relative_to(sources).as_posix()
        records = json.loads(path.read_text())
        landed = query(
            warehouse,
            "select _source_row, invoice, stream_id, price from raw_billing.invoice_lines"
            " where _source_file = $1 order by _source_row",
            [rel],
        )
        price_key = "price" if "price" in records[0] else "total_price"
        assert landed == [
            (k, r["invoice"], r["stream_id"], r[price_key]) for k, r in enumerate(records, start=1)
        ], rel
    with (sources / "aavail-streams.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    landed = query(
        warehouse,
        "select _source_row, customer_id, coalesce(stream_id, ''), date::varchar"
        " from raw_streaming.streams order by _source_row",
    )
    assert landed == [
        (k, int(r["customer_id"]), r["stream_id"], r["date"]) for k, r in enumerate(rows, start=1)
    ]
