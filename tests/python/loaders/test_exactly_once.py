"""Guarantee 1: every file lands exactly once; changed files replace their earlier rows."""

from __future__ import annotations

import json
from pathlib import Path

from loader_helpers import (
    RAW_TABLES,
    count_records,
    customer,
    invoice_line,
    load,
    query,
    snapshot,
    write_crm,
    write_json,
)

AUDIT = ("raw_meta.files", "raw_meta.rejected_rows")


def _snapshot_all(warehouse: Path) -> dict[str, list[tuple]]:
    return {**snapshot(warehouse), **snapshot_audit(warehouse)}


def snapshot_audit(warehouse: Path) -> dict[str, list[tuple]]:
    rows = {}
    rows["raw_meta.files"] = query(
        warehouse, "select * exclude (landed_at) from raw_meta.files order by file_path"
    )
    rows["raw_meta.rejected_rows"] = query(
        warehouse, "select * from raw_meta.rejected_rows order by source_file, source_row"
    )
    return rows


def test_loading_the_same_directory_twice_changes_nothing(sources: Path, warehouse: Path):
    n_files = len(count_records(sources))
    first = load(sources, warehouse)
    before = _snapshot_all(warehouse)

    second = load(sources, warehouse)

    assert first.count("landed") == n_files
    assert second.count("skipped") == n_files and second.count("landed") == 0
    assert second.exit_code == 0
    assert _snapshot_all(warehouse) == before
    loads = query(
        warehouse, "select load_id, status, files_landed, files_skipped from raw_meta.loads"
    )
    assert sorted(loads) == [(1, "succeeded", n_files, 0), (2, "succeeded", 0, n_files)]


def test_a_changed_json_file_replaces_its_earlier_rows(sources: Path, warehouse: Path):
    n_files = len(count_records(sources))
    load(sources, warehouse)
    other_before = query(
        warehouse,
        "select * exclude (_loaded_at) from raw_billing.invoice_lines"
        " where _source_file = 'invoices/invoices-2017-11.json' order by _source_row",
    )
    target = sources / "invoices" / "invoices-2019-12.json"
    records = json.loads(target.read_text())
    write_json(target, records[:10])  # same name, new content: 10 records

    result = load(sources, warehouse)

    assert result.count("landed") == 1 and result.count("skipped") == n_files - 1
    rows = query(
        warehouse,
        "select _source_row, invoice, _load_id from raw_billing.invoice_lines"
        " where _source_file = 'invoices/invoices-2019-12.json' order by _source_row",
    )
    assert [(r[0], r[1]) for r in rows] == [
        (k + 1, rec["invoice"]) for k, rec in enumerate(records[:10])
    ]
    assert {r[2] for r in rows} == {2}
    other_after = query(
        warehouse,
        "select * exclude (_loaded_at) from raw_billing.invoice_lines"
        " where _source_file = 'invoices/invoices-2017-11.json' order by _source_row",
    )
    assert other_after == other_before
    files = query(
        warehouse,
        "select rows_read, load_id from raw_meta.files"
        " where file_path = 'invoices/invoices-2019-12.json'",
    )
    assert files == [(10, 2)]


def test_a_changed_sqlite_file_replaces_rows_in_all_four_crm_tables(
    tmp_path: Path, warehouse: Path
):
    sources = tmp_path / "src"
    write_crm(sources / "aavail-customers.db", [customer(1), customer(2), customer(3)])
    load(sources, warehouse)
    (sources / "aavail-customers.db").unlink()
    write_crm(sources / "aavail-customers.db", [customer(7)])

    result = load(sources, warehouse)

    assert result.count("landed") == 1
    per_table = query(
        warehouse,
        "select 'customer', count(*), min(_load_id), max(_load_id) from raw_crm.customer union all "
        "select 'country', count(*), min(_load_id), max(_load_id) from raw_crm.country union all "
        "select 'invoice', count(*), min(_load_id), max(_load_id) from raw_crm.invoice union all "
        "select 'invoice_item', count(*), min(_load_id), max(_load_id) from raw_crm.invoice_item",
    )
    # write_crm puts 2 countries, 1 invoice, 2 plans; only customer 7 is left.
    assert sorted(per_table) == [
        ("country", 2, 2, 2),
        ("customer", 1, 2, 2),
        ("invoice", 1, 2, 2),
        ("invoice_item", 2, 2, 2),
    ]
    assert query(warehouse, "select customer_id from raw_crm.customer") == [(7,)]


def test_a_changed_file_also_replaces_its_earlier_rejected_rows(billing_dir, warehouse: Path):
    sources = billing_dir({"a.json": [invoice_line(), invoice_line(price="oops")]})
    load(sources, warehouse)
    assert query(warehouse, "select count(*) from raw_meta.rejected_rows") == [(1,)]
    write_json(sources / "invoices" / "a.json", [invoice_line(), invoice_line(invoice="2")])

    load(sources, warehouse)

    assert query(warehouse, "select count(*) from raw_meta.rejected_rows") == [(0,)]
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(2,)]


def test_raw_tables_hold_exactly_the_files_rows_after_repeated_loads(billing_dir, warehouse: Path):
    sources = billing_dir({"a.json": [invoice_line(invoice=str(k)) for k in range(5)]})
    for _ in range(3):
        load(sources, warehouse)
    counts = snapshot(warehouse, ("raw_billing.invoice_lines",))
    assert len(counts["raw_billing.invoice_lines"]) == 5
    assert all(t in RAW_TABLES for t in counts)


def test_many_changed_files_are_replaced_side_by_side(billing_dir, warehouse: Path):
    names = [f"m{k}.json" for k in range(6)]
    sources = billing_dir(
        {n: [invoice_line(invoice=f"{n}-old-{i}") for i in range(5)] for n in names}
    )
    load(sources, warehouse)
    for n in names:  # every file changes; files are landed in parallel transactions
        write_json(
            sources / "invoices" / n, [invoice_line(invoice=f"{n}-new-{i}") for i in range(3)]
        )

    result = load(sources, warehouse)

    assert result.count("landed") == 6 and result.exit_code == 0
    rows = query(
        warehouse,
        "select _source_file, list(invoice order by _source_row) from raw_billing.invoice_lines"
        " group by 1 order by 1",
    )
    assert rows == [(f"invoices/{n}", [f"{n}-new-{i}" for i in range(3)]) for n in names]
