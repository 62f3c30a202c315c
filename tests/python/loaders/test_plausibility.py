"""Issue 8 point 3: every raw column has a plausibility rule at landing.

One source dir holds, per source, a file whose rows each carry one kind of
bad value (every kind, every column); it is loaded once, and each case
checks its own row was rejected with its reason while the good rows of the
same files landed. The reasons are the texts documented in docs/raw_tables.md.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from loader_helpers import customer, invoice_line, load, query, write_crm

ID_REASON = "{} is not a whole number id between 0 and 9,007,199,254,740,991"
YEAR = "year is not a 4-digit year in 1990 .. 2099"
MONTH = "month is not 1 or 2 digits"
DAY = "day is not 1 or 2 digits"
NOT_A_DATE = "year/month/day do not form a real date"
INVOICE = "invoice has no digits or more than 18 (its digits are the invoice id, e.g. C489449)"
PRICE_RANGE = "price is outside -100,000,000 .. 100,000,000"
VIEWS_RANGE = "times_viewed is outside 0 .. 1,000,000"


@dataclass(frozen=True)
class Bad:
    """One bad value: which table and column, the value, and the expected reason."""

    table: str
    column: str
    value: object
    reason: str

    @property
    def id(self) -> str:
        return f"{self.table.split('.')[1]}.{self.column}={self.value!r}"


def _billing(column: str, value: object, reason: str) -> Bad:
    return Bad("raw_billing.invoice_lines", column, value, reason)


def _streams(column: str, value: str, reason: str) -> Bad:
    return Bad("raw_streaming.streams", column, value, reason)


NAN = float("nan")
BILLING = [
    *(_billing("year", v, YEAR) for v in ("19", "20170", "2O17", " 2017", "1989", "2100")),
    *(_billing("year", v, YEAR) for v in ("-201", "2017.0", "\uff12\uff10\uff11\uff17")),
    *(_billing("month", v, MONTH) for v in ("1.5", "011", "ab", "-1", " 1")),
    *(_billing("month", v, NOT_A_DATE) for v in ("13", "0", "00")),
    *(_billing("day", v, DAY) for v in ("02 12:00:00", "2a", "1e1", "1.0", "001")),
    *(_billing("day", v, NOT_A_DATE) for v in ("32", "0")),
    _billing("day", "", "missing required field day"),
    _billing("day", "30", NOT_A_DATE),  # with month 02 below
    *(_billing("price", v, "price is not a number") for v in ("NaN", "nan", "Infinity")),
    *(_billing("price", v, "price is not a number") for v in ("-inf", "1e999", "0x10")),
    *(_billing("price", v, "price is not a number") for v in ("1_000", "abc", NAN)),
    *(_billing("price", v, PRICE_RANGE) for v in (1e20, -1e9, 100_000_000.01)),
    _billing("price", "", "missing required field price"),
    *(_billing("customer_id", v, "customer_id is not a number") for v in ("nan", "NaN", "inf")),
    *(_billing("customer_id", v, "customer_id is not a number") for v in ("0x10", "1_000", NAN)),
    *(_billing("customer_id", v, ID_REASON.format("customer_id")) for v in (13.5, -1, 1e20)),
    _billing("customer_id", 2**53, ID_REASON.format("customer_id")),
    *(_billing("invoice", v, INVOICE) for v in ("abc", "C", "---", "nan", " C ")),
    *(_billing("invoice", v, INVOICE) for v in ("1234567890123456789", "C12345678901234567890")),
    _billing("invoice", "", "missing required field invoice"),
    *(_billing("times_viewed", v, VIEWS_RANGE) for v in (-1, 1_000_001)),
    *(_billing("times_viewed", v, "times_viewed is not a whole number") for v in (2.5, "NaN")),
    *(_billing("stream_id", v, "missing required field stream_id") for v in ("", "   ", None)),
    _billing("country", "", "missing required field country"),
]
BILLING_GOOD = [
    invoice_line(),
    invoice_line(customer_id=None, invoice="C489449", price=0),
    invoice_line(customer_id=0, price=-2_000_000.5, times_viewed=0),
    invoice_line(price="6.95", times_viewed=1_000_000, year="1990", month="1", day="1"),
    invoice_line(price=17836.46, year="2099", month="12", day="31", customer_id=13085),
    invoice_line(price=1e-05, customer_id=2**53 - 1, invoice="000001"),
    invoice_line(invoice="A-12", month="02", day="29", year="2016"),
]

STREAM_HEADER = "customer_id,stream_id,date,invoice_item_id,subscription_stopped"
STREAM_GOOD = ["1,1420,2018-10-21,2.0,0", "2,,1990-01-01,,1", "3,x,2099-12-31,3,0"]
DATE_RANGE = "date is outside 1990-01-01 .. 2099-12-31"
STREAMS = [
    *(_streams("customer_id", v, "customer_id is not a whole number") for v in ("abc", "1.5")),
    *(_streams("customer_id", v, "customer_id is not a whole number") for v in ("nan", "0x10")),
    _streams("customer_id", "1_000", "customer_id is not a whole number"),
    _streams("customer_id", "-1", ID_REASON.format("customer_id")),
    _streams("customer_id", "", "missing required field customer_id"),
    *(_streams("date", v, "date is not a real date") for v in ("19-01-05", "infinity", "epoch")),
    *(_streams("date", v, "date is not a real date") for v in ("2018-01-05 12:00:00", "20180105")),
    *(_streams("date", v, "date is not a real date") for v in ("2018/01/05", "2018-02-30")),
    *(_streams("date", v, "date is not a real date") for v in ("02 12:00:00", "-infinity")),
    *(_streams("date", v, DATE_RANGE) for v in ("1989-12-31", "2100-01-01", "0019-01-05")),
    _streams("date", "", "missing required field date"),
    *(_streams("invoice_item_id", v, "invoice_item_id is not a number") for v in ("NaN", "inf")),
    *(_streams("invoice_item_id", v, ID_REASON.format("invoice_item_id")) for v in ("2.5", "-1")),
    _streams("invoice_item_id", "1e20", ID_REASON.format("invoice_item_id")),
    *(_streams("subscription_stopped", v, "subscription_stopped is not 0 or 1") for v in "2"),
    _streams("subscription_stopped", "-1", "subscription_stopped is not 0 or 1"),
    *(
        _streams("subscription_stopped", v, "subscription_stopped is not a whole number")
        for v in ("yes", "1.5", "-")
    ),
    _streams("subscription_stopped", "", "missing required field subscription_stopped"),
]

CRM_DATE_RANGE = "{} is outside 1990-01-01 .. 2099-12-31"
CRM = [
    *(
        Bad("raw_crm.customer", "customer_id", v, "customer_id is not a whole number")
        for v in ("nan", 9.5, "1_000", math.inf)
    ),
    Bad("raw_crm.customer", "customer_id", -3, ID_REASON.format("customer_id")),
    Bad("raw_crm.customer", "customer_id", None, "missing required field customer_id"),
    Bad("raw_crm.customer", "dob", "7/3/98", "dob is not written MM/DD/YY"),
    Bad("raw_crm.customer", "dob", "1998-07-30", "dob is not written MM/DD/YY"),
    Bad("raw_crm.customer", "dob", "02/30/98", "dob is not a real MM/DD/YY date"),
    Bad("raw_crm.customer", "dob", "07/30/1998", "dob is not written MM/DD/YY"),
    Bad("raw_crm.customer", "country_id", -1, ID_REASON.format("country_id")),
    Bad("raw_crm.customer", "country_id", "x", "country_id is not a whole number"),
    *(
        Bad("raw_crm.invoice", "signup_date", v, "signup_date is not a real date")
        for v in ("infinity", "epoch", "19-01-05", "2018-01-05 12:00:00", "2018-1-5")
    ),
    *(
        Bad("raw_crm.invoice", "signup_date", v, CRM_DATE_RANGE.format("signup_date"))
        for v in ("1989-12-31", "2100-01-01")
    ),
    Bad("raw_crm.invoice", "signup_date", None, "missing required field signup_date"),
    Bad("raw_crm.invoice", "last_stream", "epoch", "last_stream is not a real date"),
    Bad("raw_crm.invoice", "last_stream", "2100-01-01", CRM_DATE_RANGE.format("last_stream")),
    Bad("raw_crm.invoice", "customer_id", "abc", "customer_id is not a whole number"),
    Bad("raw_crm.invoice", "invoice_item_id", 2.5, "invoice_item_id is not a whole number"),
    Bad("raw_crm.country", "country_id", "x", "country_id is not a whole number"),
    Bad("raw_crm.country", "country_id", None, "missing required field country_id"),
    Bad("raw_crm.invoice_item", "invoice_item_id", -1, ID_REASON.format("invoice_item_id")),
]


def _write_billing(path: Path) -> dict[Bad, int]:
    """The good records first, then one record per bad value; each case's record number."""
    records = list(BILLING_GOOD)
    rows = {}
    for bad in BILLING:
        extra = {"month": "02"} if (bad.column, bad.value) == ("day", "30") else {}
        records.append(invoice_line(**{bad.column: bad.value, **extra}))
        rows[bad] = len(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records), encoding="utf-8")  # NaN stays the JSON literal NaN
    return rows


def _write_streams(path: Path) -> dict[Bad, int]:
    lines = [STREAM_HEADER, *STREAM_GOOD]
    rows = {}
    columns = STREAM_HEADER.split(",")
    for bad in STREAMS:
        fields = STREAM_GOOD[0].split(",")
        fields[columns.index(bad.column)] = str(bad.value)
        lines.append(",".join(fields))
        rows[bad] = len(lines) - 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


CRM_TABLES = {
    "raw_crm.customer": ("CUSTOMER", 9),
    "raw_crm.invoice": ("INVOICE", 5),
    "raw_crm.country": ("COUNTRY", 3),
    "raw_crm.invoice_item": ("INVOICE_ITEM", 3),
}
CRM_GOOD = {
    "raw_crm.customer": list(customer(1)),
    "raw_crm.invoice": [None, 1, 1, "2018-10-18", "2019-03-30"],
    "raw_crm.country": [None, 5, "france"],
    "raw_crm.invoice_item": [None, 4, "aavail_family"],
}
CRM_COLUMNS = {
    "raw_crm.customer": [
        "generated_id", "customer_id", "last_name", "first_name", "gender", "dob", "city",
        "state", "country_id",
    ],
    "raw_crm.invoice": [
        "generated_id", "invoice_item_id", "customer_id", "signup_date", "last_stream",
    ],
    "raw_crm.country": ["generated_id", "country_id", "country_name"],
    "raw_crm.invoice_item": ["generated_id", "invoice_item_id", "invoice_item"],
}  # fmt: skip


def _write_crm(path: Path) -> dict[Bad, int]:
    """The helper's small CRM plus one row per bad value, appended to its table."""
    write_crm(path, [customer(1), customer(2)])
    db = sqlite3.connect(path)
    rows = {}
    try:
        for bad in CRM:
            table, width = CRM_TABLES[bad.table]
            values = list(CRM_GOOD[bad.table])
            values[0] = None  # a new generated_id
            values[CRM_COLUMNS[bad.table].index(bad.column)] = bad.value
            db.execute(f"insert into {table} values ({', '.join('?' * width)})", values)
            count = db.execute(f"select count(*) from {table}").fetchone()[0]
            rows[bad] = count  # generated_id order = insertion order here
        db.commit()
    finally:
        db.close()
    return rows


@dataclass(frozen=True)
class Landed:
    """One load of all three sources with every bad value, read back once."""

    warehouse: Path
    row_of: dict[Bad, tuple[str, int]]  # case -> (file, source row)
    reasons: dict[tuple[str, str, int], list[str]]  # (table, file, row) -> reasons
    landed_rows: dict[str, set[tuple[str, int]]]  # table -> (file, row) landed


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> Landed:
    root = tmp_path_factory.mktemp("plausibility")
    sources = root / "sources"
    sources.mkdir()
    row_of: dict[Bad, tuple[str, int]] = {}
    for file, write in (
        ("invoices/invoices-2017-11.json", _write_billing),
        ("aavail-streams.csv", _write_streams),
        ("aavail-customers.db", _write_crm),
    ):
        row_of.update({b: (file, row) for b, row in write(sources / file).items()})
    warehouse = root / "warehouse.duckdb"
    result = load(sources, warehouse, max_reject_rate=1.0)
    assert result.count("landed") == 3 and result.count("rejected") == 0
    rejected = query(
        warehouse, "select table_name, source_file, source_row, reason from raw_meta.rejected_rows"
    )
    landed_rows = {
        table: set(query(warehouse, f"select _source_file, _source_row from {table}"))
        for table in {b.table for b in row_of}
    }
    return Landed(
        warehouse,
        row_of,
        {(t, f, r): reason.split("; ") for t, f, r, reason in rejected},
        landed_rows,
    )


@pytest.mark.parametrize("bad", BILLING + STREAMS + CRM, ids=lambda b: b.id)
def test_each_bad_value_is_rejected_with_its_reason(landed, bad):
    file, row = landed.row_of[bad]

    assert bad.reason in landed.reasons.get((bad.table, file, row), [])
    assert (file, row) not in landed.landed_rows[bad.table]


def test_only_the_bad_rows_are_rejected_and_the_good_rows_land(landed):
    warehouse, where = landed.warehouse, landed.row_of

    rejected = query(
        warehouse,
        "select table_name, count(*) from raw_meta.rejected_rows group by 1 order by 1",
    )
    expected: dict[str, int] = {}
    for bad in where:
        expected[bad.table] = expected.get(bad.table, 0) + 1
    assert rejected == sorted(expected.items())
    prices = query(warehouse, "select price from raw_billing.invoice_lines order by _source_row")
    assert [p for (p,) in prices] == [6.95, 0.0, -2_000_000.5, 6.95, 17836.46, 1e-05, 6.95]
    assert query(
        warehouse, "select customer_id from raw_billing.invoice_lines where _source_row = 6"
    ) == [(float(2**53 - 1),)]
    streams = query(
        warehouse,
        "select customer_id, date::varchar, invoice_item_id from raw_streaming.streams"
        " order by _source_row",
    )
    assert streams == [(1, "2018-10-21", 2.0), (2, "1990-01-01", None), (3, "2099-12-31", 3.0)]
    crm = query(
        warehouse,
        "select (select count(*) from raw_crm.customer), (select count(*) from raw_crm.invoice),"
        " (select count(*) from raw_crm.country), (select count(*) from raw_crm.invoice_item)",
    )
    assert crm == [(2, 1, 2, 2)]


def test_rows_with_bad_values_never_reach_the_dbt_build(dbt_warehouse_factory):
    """Generated sources plus every bad value land; `dbt build` of the staging models that
    cast those columns then passes (before the rules, NaN prices, `19-01-05` dates,
    invoices without digits ... failed it, naming a model instead of the file and row)."""
    warehouse = dbt_warehouse_factory("plausible_build")
    sources = warehouse.root / "sources"
    done = warehouse.cli(
        "generate", "--out", str(sources), "--seed", "5", "--customers", "40",
        "--invoice-lines", "1500",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    month = sources / "invoices" / "invoices-2018-06.json"
    records = json.loads(month.read_text())
    bad_billing = [_billing_record(b) for b in BILLING]
    month.write_text(json.dumps(records + bad_billing))
    with (sources / "aavail-streams.csv").open("a", encoding="utf-8") as handle:
        for bad in STREAMS:
            fields = STREAM_GOOD[0].split(",")
            fields[STREAM_HEADER.split(",").index(bad.column)] = str(bad.value)
            handle.write(",".join(fields) + "\n")

    loaded = warehouse.cli(
        "load", "--source-dir", str(sources), "--warehouse", str(warehouse.path), "--quiet",
        "--max-reject-rate", "1",
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    assert warehouse.query("select count(*) from raw_meta.rejected_rows") == [
        (len(BILLING) + len(STREAMS),)
    ]
    # The models that cast these columns (and their seeds, tests and unit tests).
    warehouse.build("--select", "+stg_billing__invoice_lines", "+stg_streaming__streams")
    dates = warehouse.query(
        "select min(invoice_date)::varchar, max(invoice_date)::varchar"
        " from staging.stg_billing__invoice_lines"
    )
    assert dates[0][0] >= "2017-11-01" and dates[0][1] <= "2019-12-31"
    assert warehouse.query(
        "select count(*) from staging.stg_streaming__streams"
        " where stream_date not between '2018-01-02' and '2019-09-03'"
    ) == [(0,)]


def _billing_record(bad: Bad) -> dict[str, object]:
    extra = {"month": "02"} if (bad.column, bad.value) == ("day", "30") else {}
    return invoice_line(**{"year": "2018", "month": "06", **extra, bad.column: bad.value})
