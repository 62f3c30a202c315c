"""Issue 8 point 4: two fields for one column never silently lose a value.

Rule (docs/raw_tables.md): two fields of a record feeding one column (an
alias, a case variant, a repeated JSON key or CSV column) reject the row when
both hold a value; a field named like a metadata column is an extra field and
never overwrites the loader's metadata.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from loader_helpers import DROP, customer, invoice_line, load, query, write_crm

PRICE_CONFLICT = "fields price, total_price all hold a value for column price (one would be lost)"
META_NAMES = ("_source_row", "_LOAD_ID", "_source_file", "_Loaded_At", "_extra_fields")


def _meta_record() -> dict[str, object]:
    record = invoice_line(invoice="7")
    record.update({name: f"evil {name}" for name in META_NAMES})
    return record


# file -> its records, as raw JSON text (repeated keys cannot be written with json.dumps)
BILLING_FILES: dict[str, str] = {
    # DuckDB's fast path: every key distinct even ignoring case
    "a.json": json.dumps(
        [
            invoice_line(invoice="1", total_price=5.0),  # row 1: price and total_price
            invoice_line(invoice="2", price=DROP, total_price=5.0),  # row 2: alias alone
            invoice_line(invoice="3", total_price=""),  # row 3: alias blank -> price lands
            invoice_line(invoice="4", StreamID="X1"),  # row 4: stream_id and StreamID
            invoice_line(invoice="5", TimesViewed=None),  # row 5: alias null -> lands
            invoice_line(invoice="6", total_price=6.95),  # row 6: equal values, still two
            _meta_record(),  # row 7: metadata-named fields
        ]
    ),
    # keys differing only in case
    "b.json": json.dumps(
        [
            invoice_line(invoice="1", Price=5.0),  # row 1: price and Price
            invoice_line(invoice="2", price=None, Price=5.0),  # row 2: only Price holds one
            invoice_line(invoice="3", Note="a", note="b"),  # row 3: unknown Note and note
            invoice_line(invoice="4", Note="a"),  # row 4: one of them
        ]
    ),
    # repeated keys in one object
    "c.json": (
        '[{"country":"UK","invoice":"1","price":1.5,"price":2.5,"stream_id":"x",'
        '"year":"2017","month":"11","day":"28"},'
        '{"country":"UK","invoice":"2","price":1.5,"stream_id":"x","note":"a","note":"b",'
        '"year":"2017","month":"11","day":"28"},' + json.dumps(invoice_line(invoice="3")) + "]"
    ),
}


@pytest.fixture(scope="module")
def billing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("conflicts")
    for name, text in BILLING_FILES.items():
        path = root / "sources" / "invoices" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    warehouse = root / "warehouse.duckdb"
    result = load(root / "sources", warehouse, max_reject_rate=1.0)
    assert result.count("landed") == 3
    return warehouse


def _rejected(warehouse: Path, file: str) -> dict[int, str]:
    rows = query(
        warehouse,
        "select source_row, reason from raw_meta.rejected_rows where source_file = $1",
        [f"invoices/{file}"],
    )
    return dict(rows)


def _landed(warehouse: Path, file: str, columns: str) -> list[tuple]:
    return query(
        warehouse,
        f"select {columns} from raw_billing.invoice_lines where _source_file = $1"
        " order by _source_row",
        [f"invoices/{file}"],
    )


def test_a_name_and_its_alias_both_holding_a_value_reject_the_row(billing):
    assert _rejected(billing, "a.json") == {
        1: PRICE_CONFLICT,
        4: "fields stream_id, StreamID all hold a value for column stream_id (one would be lost)",
        6: PRICE_CONFLICT,
    }
    assert _landed(billing, "a.json", "invoice, price, stream_id, times_viewed") == [
        ("2", 5.0, "85048", 12),
        ("3", 6.95, "85048", 12),
        ("5", 6.95, "85048", 12),
        ("7", 6.95, "85048", 12),
    ]


def test_fields_differing_only_in_case_are_one_field(billing):
    rejected = _rejected(billing, "b.json")

    assert rejected == {
        1: "fields price, Price all hold a value for column price (one would be lost)",
        3: "fields Note, note all hold a value for one extra field (one would be lost)",
    }
    landed = _landed(billing, "b.json", "invoice, price, _extra_fields")
    assert [(i, p) for i, p, _ in landed] == [("2", 5.0), ("4", 6.95)]
    assert json.loads(landed[1][2]) == {"Note": "a"}


def test_a_repeated_json_key_rejects_the_record_and_keeps_its_text(billing):
    rejected = query(
        billing,
        "select source_row, reason, record from raw_meta.rejected_rows"
        " where source_file = 'invoices/c.json' order by 1",
    )

    assert [(r[0], r[1]) for r in rejected] == [
        (1, "field price appears more than once in the record (one value would be lost)"),
        (2, "field note appears more than once in the record (one value would be lost)"),
    ]
    assert '"price":1.5,"price":2.5' in rejected[0][2]  # both values kept, as in the file
    assert _landed(billing, "c.json", "invoice") == [("3",)]


def test_fields_named_like_metadata_never_overwrite_it(billing):
    row = query(
        billing,
        "select _source_row, _source_file, _load_id, _loaded_at is not null, _extra_fields"
        " from raw_billing.invoice_lines where invoice = '7'",
    )

    assert row[0][:4] == (7, "invoices/a.json", 1, True)
    assert json.loads(row[0][4]) == {name: f"evil {name}" for name in META_NAMES}
    unknown = query(
        billing, "select unknown_fields from raw_meta.files where file_path = 'invoices/a.json'"
    )
    assert sorted(unknown[0][0]) == sorted(META_NAMES)


def test_a_repeated_csv_column_rejects_rows_where_both_hold_a_value(tmp_path, warehouse):
    header = "customer_id,stream_id,date,invoice_item_id,subscription_stopped,customer_id"
    lines = [
        header + ",note,NOTE,_source_row,_Load_Id",
        "1,a,2018-10-21,2.0,0,2,,,x,y",  # row 1: customer_id twice, different
        "3,b,2018-10-22,2.0,0,3,,,,",  # row 2: twice, equal: still two values
        "4,c,2018-10-23,2.0,0,,n1,,,",  # row 3: second one blank -> lands
        "5,d,2018-10-24,2.0,0,,n1,N2,,",  # row 4: note and NOTE
    ]
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "aavail-streams.csv").write_text("\n".join(lines) + "\n")

    result = load(tmp_path / "src", warehouse, max_reject_rate=1.0)

    assert result.files[0].status == "landed"
    twice = "fields customer_id, customer_id all hold a value for column customer_id"
    assert dict(query(warehouse, "select source_row, reason from raw_meta.rejected_rows")) == {
        1: twice + " (one would be lost)",
        2: twice + " (one would be lost)",
        4: "fields note, NOTE all hold a value for one extra field (one would be lost)",
    }
    landed = query(
        warehouse,
        "select customer_id, _source_row, _load_id, _extra_fields from raw_streaming.streams",
    )
    assert landed[0][:3] == (4, 3, 1)
    assert json.loads(landed[0][3]) == {"note": "n1"}
    record = query(warehouse, "select record from raw_meta.rejected_rows where source_row = 1")
    assert record[0][0].count('"customer_id"') == 2  # both values kept in the rejected record


def test_sqlite_columns_named_like_metadata_stay_extra_fields(tmp_path, warehouse):
    db_path = write_crm(tmp_path / "src" / "aavail-customers.db", [customer(1), customer(2)])
    db = sqlite3.connect(db_path)
    db.execute('alter table CUSTOMER add column "_source_row" text')
    db.execute('alter table CUSTOMER add column "_Load_ID" text')
    db.execute("update CUSTOMER set _source_row = 'x' || generated_id, _Load_ID = 'y'")
    db.commit()
    db.close()

    assert load(tmp_path / "src", warehouse).exit_code == 0

    rows = query(
        warehouse,
        "select generated_id, _source_row, _load_id, _extra_fields from raw_crm.customer"
        " order by 1",
    )
    assert [r[:3] for r in rows] == [(1, 1, 1), (2, 2, 1)]
    assert json.loads(rows[1][3]) == {"_source_row": "x2", "_load_id": "y"}
