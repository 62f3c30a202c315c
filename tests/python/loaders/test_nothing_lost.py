"""Guarantee 3: rows read = rows landed + rows rejected; unparseable files are recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from loader_helpers import (
    DROP,
    customer,
    invoice_line,
    load,
    query,
    write_crm,
    write_csv,
    write_json,
)


def _rejected(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "select source_file, source_row, table_name, reason, record from raw_meta.rejected_rows"
        " order by source_file, source_row",
    )


def test_bad_billing_rows_are_rejected_with_reason_and_original_record(billing_dir, warehouse):
    records = [
        invoice_line(invoice="1"),
        invoice_line(invoice="2", price=DROP),  # missing required field
        invoice_line(invoice="3", price="abc"),  # unparseable number
        invoice_line(invoice="4", month="13"),  # impossible month
        invoice_line(invoice="5", month="02", day="30"),  # Feb 30
        invoice_line(invoice="6", times_viewed="many"),  # typed optional field, unparseable
        invoice_line(invoice="7", customer_id=None),  # null customer is allowed
        invoice_line(invoice=DROP, stream_id=None),  # two problems at once
        invoice_line(invoice="9", times_viewed=2.5),  # not a whole number (a cast would round)
        invoice_line(invoice="10", times_viewed=3.0, customer_id="17850"),  # whole; text number
    ]
    sources = billing_dir({"m.json": records})

    result = load(sources, warehouse, max_reject_rate=1.0)

    assert (result.rows_read, result.rows_landed, result.rows_rejected) == (10, 3, 7)
    landed = query(
        warehouse,
        "select invoice, times_viewed, customer_id from raw_billing.invoice_lines order by 1",
    )
    assert landed == [("1", 12, 13085.0), ("10", 3, 17850.0), ("7", 12, None)]
    rejected = _rejected(warehouse)
    assert [r[1] for r in rejected] == [2, 3, 4, 5, 6, 8, 9]
    assert {r[0] for r in rejected} == {"invoices/m.json"}
    assert {r[2] for r in rejected} == {"raw_billing.invoice_lines"}
    reasons = {r[1]: r[3] for r in rejected}
    assert reasons[2] == "missing required field price"
    assert reasons[3] == "price is not a number"
    assert reasons[4] == reasons[5] == "year/month/day do not form a real date"
    assert reasons[6] == reasons[9] == "times_viewed is not a whole number"
    assert "missing required field invoice" in reasons[8]
    assert "missing required field stream_id" in reasons[8]
    record = json.loads(rejected[1][4])
    assert (
        record["invoice"] == "3"
        and record["price"] == "abc"
        and record["country"] == "United Kingdom"
    )
    files = query(warehouse, "select rows_read, rows_landed, rows_rejected from raw_meta.files")
    assert files == [(10, 3, 7)]


def test_bad_csv_rows_are_rejected_and_counted(tmp_path: Path, warehouse: Path):
    sources = tmp_path / "src"
    write_csv(
        sources / "aavail-streams.csv",
        [
            "customer_id,stream_id,date,invoice_item_id,subscription_stopped",
            "1,1420,2018-10-21,2.0,0",
            "2,,2018-02-30,2.0,0",  # Feb 30
            "x,1343,2018-10-23,2.0,0",  # customer id not a number
            "3,1344,2018-13-01,1.0,0",  # month 13
            "4,1345,2018-10-23,1.0,",  # missing subscription_stopped
            "5,,2019-01-01,3.0,1",
        ],
    )

    result = load(sources, warehouse, max_reject_rate=1.0)

    assert (result.rows_read, result.rows_landed, result.rows_rejected) == (6, 2, 4)
    landed = query(
        warehouse,
        "select customer_id, stream_id, _source_row from raw_streaming.streams order by 3",
    )
    assert landed == [(1, "1420", 1), (5, None, 6)]
    rejected = _rejected(warehouse)
    assert [(r[1], r[3]) for r in rejected] == [
        (2, "date is not a real date"),
        (3, "customer_id is not a whole number"),
        (4, "date is not a real date"),
        (5, "missing required field subscription_stopped"),
    ]
    assert json.loads(rejected[1][4]) == {
        "customer_id": "x",
        "stream_id": "1343",
        "date": "2018-10-23",
        "invoice_item_id": "2.0",
        "subscription_stopped": "0",
    }


def test_bad_crm_rows_are_rejected_per_table(tmp_path: Path, warehouse: Path):
    sources = tmp_path / "src"
    write_crm(
        sources / "aavail-customers.db",
        [customer(1), customer(2, dob="13/01/98"), customer(3, dob="02/30/98"), customer(4, "")],
    )

    result = load(sources, warehouse, max_reject_rate=1.0)

    # 4 customers + 2 countries + 1 invoice + 2 invoice items read
    assert (result.rows_read, result.rows_landed, result.rows_rejected) == (9, 6, 3)
    rejected = _rejected(warehouse)
    assert [(r[1], r[2], r[3]) for r in rejected] == [
        (2, "raw_crm.customer", "dob is not a real MM/DD/YY date"),
        (3, "raw_crm.customer", "dob is not a real MM/DD/YY date"),
        (4, "raw_crm.customer", "missing required field dob"),
    ]
    assert json.loads(rejected[0][4])["dob"] == "13/01/98"


BROKEN_FILES = {
    "invoices/truncated.json": b'[{"invoice": "1", "price": 1.0',
    "invoices/not-an-array.json": b'{"invoice": "1"}',
    "invoices/not-objects.json": b"[1, 2, 3]",
    "invoices/empty.json": b"",
    "invoices/utf16.json": json.dumps([invoice_line()]).encode("utf-16"),
    "invoices/bad-utf8.json": b'[{"country": "Caf\xe9", "invoice": "1"}]',
    "aavail-streams-utf16.csv": "customer_id,date\n1,2018-01-01\n".encode("utf-16"),
    "aavail-streams-bad-utf8.csv": b"customer_id,stream_id,date\n1,caf\xe9,2018-01-01\n",
    "aavail-streams-ragged.csv": b"customer_id,date\n1,2018-01-01\n2,2018-01-02,extra\n",
    "aavail-customers.db": b"this is not a SQLite database, just text" * 100,
}


@pytest.mark.parametrize("name", sorted(BROKEN_FILES))
def test_an_unparseable_file_is_rejected_while_the_others_land(name, billing_dir, warehouse):
    sources = billing_dir({"good.json": [invoice_line(), invoice_line(invoice="2")]})
    broken = sources / name
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(BROKEN_FILES[name])

    result = load(sources, warehouse)

    assert result.exit_code == 1
    files = dict(
        (r[0], r[1:])
        for r in query(
            warehouse, "select file_path, status, error, rows_landed from raw_meta.files"
        )
    )
    assert files["invoices/good.json"] == ("landed", None, 2)
    status, error, rows = files[name]
    assert status == "rejected" and rows == 0
    assert error and "\n" not in error
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(2,)]


def test_a_sqlite_file_without_a_crm_table_is_rejected(tmp_path: Path, warehouse: Path):
    sources = tmp_path / "src"
    write_crm(sources / "aavail-customers.db", [customer(1)], drop_table="COUNTRY")

    result = load(sources, warehouse)

    assert result.exit_code == 1
    assert query(warehouse, "select status, error from raw_meta.files") == [
        ("rejected", "SQLite database has no table COUNTRY")
    ]
    assert query(warehouse, "select count(*) from raw_crm.customer") == [(0,)]


def test_a_file_that_becomes_unparseable_keeps_its_rows_and_is_marked_rejected(
    billing_dir, warehouse
):
    # Issue 8 point 2: the previous version stays (more in test_keeps_previous_version.py).
    sources = billing_dir({"a.json": [invoice_line()]})
    load(sources, warehouse)
    (sources / "invoices" / "a.json").write_text('[{"invoice": ')

    result = load(sources, warehouse)

    assert result.count("rejected") == 1
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(1,)]
    assert query(warehouse, "select status from raw_meta.files") == [("rejected",)]


def test_every_file_balances_rows_read_with_landed_plus_rejected(sources, warehouse):
    write_json(
        sources / "invoices" / "extra.json",
        [invoice_line(), invoice_line(day="31", month="04"), invoice_line(price=None)],
    )
    load(sources, warehouse, max_reject_rate=1.0)

    balance = query(
        warehouse,
        "select f.file_path, f.rows_read, f.rows_landed, f.rows_rejected,"
        " (select count(*) from raw_meta.rejected_rows r where r.source_file = f.file_path)"
        " from raw_meta.files f order by 1",
    )
    landed = dict(
        query(
            warehouse,
            "select _source_file, count(*) from ("
            " select _source_file from raw_crm.customer union all"
            " select _source_file from raw_crm.country union all"
            " select _source_file from raw_crm.invoice union all"
            " select _source_file from raw_crm.invoice_item union all"
            " select _source_file from raw_streaming.streams union all"
            " select _source_file from raw_billing.invoice_lines) group by 1",
        )
    )
    for path, read, rows_landed, rows_rejected, rejected_rows in balance:
        assert read == rows_landed + rows_rejected, path
        assert landed.get(path, 0) == rows_landed, path
        assert rejected_rows == rows_rejected, path
    assert [b for b in balance if b[0] == "invoices/extra.json"] == [
        ("invoices/extra.json", 3, 1, 2, 2)
    ]
