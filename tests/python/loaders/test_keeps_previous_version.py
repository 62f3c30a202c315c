"""Issue 8 point 2: a changed file that cannot be landed completely keeps its previous version.

Every way a new version can fail (unparseable content of each source type, a
transient failure) leaves the rows of the version in place untouched, records
the file as rejected with the error and the version kept, reports it and
exits non-zero; only a successfully parsed new version replaces the old one.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from loader_helpers import customer, invoice_line, load, query, snapshot, write_crm, write_json

STREAMS_HEADER = "customer_id,stream_id,date,invoice_item_id,subscription_stopped"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sources(root: Path) -> Path:
    write_json(root / "invoices" / "m.json", [invoice_line(invoice=str(k)) for k in range(4)])
    (root / "aavail-streams.csv").write_text(
        STREAMS_HEADER + "\n" + "".join(f"{k},7,2018-01-0{k},1.0,0\n" for k in range(1, 6))
    )
    write_crm(root / "aavail-customers.db", [customer(k) for k in range(1, 4)])
    return root


def _garbage_crm(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50 + b"garbage" * 200)


def _crm_without_country(path: Path) -> None:
    path.unlink()
    write_crm(path, [customer(9)], drop_table="COUNTRY")


# Each bad new version, by the file it replaces.
BAD_VERSIONS = {
    "csv ragged row": ("aavail-streams.csv", lambda p: p.write_text(
        STREAMS_HEADER + "\n1,7,2018-01-01,1.0,0\n2,7,2018-01-02,1.0,0,extra\n")),
    "csv not utf-8": ("aavail-streams.csv", lambda p: p.write_bytes(
        (STREAMS_HEADER + "\n1,caf\xe9,2018-01-01,1.0,0\n").encode("latin-1"))),
    "csv empty": ("aavail-streams.csv", lambda p: p.write_bytes(b"")),
    "json cut in a record": ("invoices/m.json", lambda p: p.write_text('[{"invoice": "1", ')),
    "json whitespace only": ("invoices/m.json", lambda p: p.write_text("  \n\t \n")),
    "json not an array": ("invoices/m.json", lambda p: p.write_text('{"invoice": "1"}')),
    "json empty file": ("invoices/m.json", lambda p: p.write_bytes(b"")),
    "sqlite garbage": ("aavail-customers.db", _garbage_crm),
    "sqlite missing table": ("aavail-customers.db", _crm_without_country),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_VERSIONS))
def test_a_bad_new_version_leaves_the_previous_one_in_place(case: str, tmp_path: Path):
    name, break_file = BAD_VERSIONS[case]
    sources = _sources(tmp_path / "src")
    warehouse = tmp_path / "wh.duckdb"
    assert load(sources, warehouse).exit_code == 0
    before = snapshot(warehouse)
    good_sha = _sha(sources / name)
    [(rows_in_place,)] = query(
        warehouse, "select rows_landed from raw_meta.files where file_path = $1", [name]
    )
    assert rows_in_place > 0

    break_file(sources / name)
    result = load(sources, warehouse)

    assert result.exit_code == 1
    assert snapshot(warehouse) == before  # nothing of the old version lost
    [(status, sha, landed_sha, rows, error)] = query(
        warehouse,
        "select status, sha256, landed_sha256, rows_landed, error from raw_meta.files"
        " where file_path = $1",
        [name],
    )
    assert status == "rejected"
    assert sha == _sha(sources / name) and landed_sha == good_sha
    assert rows == rows_in_place
    assert "previous version kept" in error and "\n" not in error
    [outcome] = [f for f in result.files if f.path == name]
    assert outcome.status == "rejected" and outcome.error == error
    assert query(warehouse, "select status from raw_meta.loads order by load_id") == [
        ("succeeded",),
        ("failed",),
    ]


def test_only_a_parsed_new_version_replaces_the_old_one(tmp_path: Path):
    sources = _sources(tmp_path / "src")
    warehouse = tmp_path / "wh.duckdb"
    load(sources, warehouse)
    target = sources / "invoices" / "m.json"
    original = target.read_bytes()
    target.write_text('[{"invoice": ')
    assert load(sources, warehouse).exit_code == 1

    # Back to the version in place: recorded as landed again, no row touched.
    target.write_bytes(original)
    again = load(sources, warehouse)
    assert again.exit_code == 0 and again.count("skipped") == 3
    assert query(
        warehouse,
        "select status, error, sha256 = landed_sha256 from raw_meta.files"
        " where file_path = 'invoices/m.json'",
    ) == [("landed", None, True)]
    assert query(warehouse, "select distinct _load_id from raw_billing.invoice_lines") == [(1,)]

    # A good new version replaces the old rows.
    write_json(target, [invoice_line(invoice="777")])
    assert load(sources, warehouse).count("landed") == 1
    assert query(warehouse, "select invoice from raw_billing.invoice_lines") == [("777",)]


def test_a_crm_locked_by_its_writer_is_transient_and_a_rerun_lands_it(tmp_path: Path):
    sources = _sources(tmp_path / "src")
    warehouse = tmp_path / "wh.duckdb"
    load(sources, warehouse)
    before = snapshot(warehouse)
    crm = sources / "aavail-customers.db"
    writer = sqlite3.connect(crm, isolation_level=None)
    try:
        writer.execute("begin exclusive")  # the CRM's own writer, mid-transaction
        writer.execute(
            "insert into CUSTOMER values (4, 4, 'New', 'One', 'f', '01/02/90', 'X', 'Y', 1)"
        )
        writer.execute("commit")
        writer.execute("begin exclusive")
        result = load(sources, warehouse)
    finally:
        writer.execute("rollback")
        writer.close()

    assert result.exit_code == 1
    assert snapshot(warehouse) == before
    [error] = [f.error for f in result.files if f.path == "aavail-customers.db"]
    assert error.startswith("could not read (transient: ")
    assert "previous version kept" in error and error.endswith("rerun to retry")

    rerun = load(sources, warehouse)

    assert rerun.exit_code == 0
    assert query(warehouse, "select count(*) from raw_crm.customer") == [(4,)]
    assert query(
        warehouse,
        "select status, error from raw_meta.files where file_path = 'aavail-customers.db'",
    ) == [("landed", None)]


def test_duckdb_out_of_memory_is_transient_and_keeps_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    sources = _sources(tmp_path / "src")
    warehouse = tmp_path / "wh.duckdb"
    load(sources, warehouse)
    before = snapshot(warehouse)
    write_json(sources / "invoices" / "m.json", [invoice_line(invoice=str(k)) for k in range(9)])
    monkeypatch.setenv("AAVAIL_LOADER_MEMORY_LIMIT", "10MB")  # DuckDB's JSON reader needs more

    starved = load(sources, warehouse)

    assert starved.exit_code == 1
    assert snapshot(warehouse) == before
    [error] = [f.error for f in starved.files if f.path == "invoices/m.json"]
    assert error.startswith("could not land (transient: Out of Memory Error")
    assert "previous version kept" in error

    monkeypatch.delenv("AAVAIL_LOADER_MEMORY_LIMIT")
    assert load(sources, warehouse).count("landed") == 1
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(9,)]
