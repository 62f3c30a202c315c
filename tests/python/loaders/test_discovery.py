"""Issue 8 points 6 and 7: every entry of the source dir is landed, skipped, rejected or
listed as ignored with the reason; links are followed safely; a CRM in WAL mode is seen
changing; a file name that is not UTF-8 is rejected in one line while the others land."""

from __future__ import annotations

import os
import sqlite3

from loader_helpers import customer, invoice_line, load, query, run_cli, write_crm, write_json

from python_loaders.ingestion.loading import summary


def test_a_symlinked_sub_folder_is_followed_and_loops_and_aliases_are_listed(tmp_path, warehouse):
    outside = tmp_path / "elsewhere"
    write_json(outside / "2019.json", [invoice_line(invoice="1")])
    sources = tmp_path / "src"
    write_json(sources / "invoices" / "real" / "2018.json", [invoice_line(invoice="2")])
    (sources / "invoices" / "linked").symlink_to(outside, target_is_directory=True)
    (sources / "invoices" / "real" / "loop").symlink_to(sources / "invoices")
    (sources / "invoices" / "alias").symlink_to(sources / "invoices" / "real")
    (sources / "invoices" / "second-link").symlink_to(outside, target_is_directory=True)

    result = load(sources, warehouse)

    assert result.exit_code == 0
    assert sorted(f.path for f in result.files) == [
        "invoices/linked/2019.json",
        "invoices/real/2018.json",
    ]
    ignored = {i.rel: i.why for i in result.ignored}
    assert "symbolic link to folder invoices/real" in ignored["invoices/alias/"]
    assert ignored["invoices/real/loop/"] == (
        "symbolic link to folder invoices, listed under that name (a link loop)"
    )
    assert ignored["invoices/second-link/"] == (
        "symbolic link to folder invoices/linked, listed under that name"
    )
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(2,)]


def test_every_other_entry_is_listed_as_ignored_with_the_reason(tmp_path, warehouse):
    sources = tmp_path / "src"
    write_json(sources / "invoices" / "a.json", [invoice_line()])
    (sources / "notes.txt").write_text("hello")
    (sources / ".DS_Store").write_text("x")
    (sources / ".git").mkdir()
    (sources / ".git" / "config").write_text("x")
    (sources / "invoices" / "a.json.bak").write_text("[]")
    (sources / "aavail-streams-broken-link.csv").symlink_to(tmp_path / "nowhere.csv")
    os.mkfifo(sources / "aavail-streams-pipe.csv")  # reading it would hang forever

    result = load(sources, warehouse)

    assert [f.path for f in result.files] == ["invoices/a.json"]
    assert {i.rel: i.why for i in result.ignored} == {
        ".DS_Store": "hidden file",
        ".git/": "hidden folder",
        "aavail-streams-broken-link.csv": "broken symbolic link",
        "aavail-streams-pipe.csv": "not a regular file",
        "invoices/a.json.bak": "not a source file name",
        "notes.txt": "not a source file name",
    }
    assert "ignored: notes.txt: not a source file name" in summary(result)
    assert query(warehouse, "select files_ignored from raw_meta.loads") == [(6,)]


def test_a_crm_in_wal_mode_is_read_and_hashed_with_its_wal(tmp_path, warehouse):
    sources = tmp_path / "src"
    crm = write_crm(sources / "aavail-customers.db", [customer(1)])
    db = sqlite3.connect(crm, isolation_level=None)
    try:
        db.execute("pragma journal_mode = wal")
        db.execute("pragma wal_autocheckpoint = 0")  # committed rows stay in -wal
        db.execute("insert into CUSTOMER values (2, 2, 'A', 'B', 'f', '01/02/90', 'C', 'D', 1)")
        first = load(sources, warehouse)
        main_file = crm.read_bytes()
        db.execute("insert into CUSTOMER values (3, 3, 'E', 'F', 'm', '03/04/91', 'G', 'H', 1)")
        assert crm.read_bytes() == main_file  # the change is only in the -wal file
        second = load(sources, warehouse)
    finally:
        db.close()

    assert first.exit_code == 0 and first.count("landed") == 1
    assert second.count("landed") == 1, "a committed change in -wal was not seen"
    assert query(warehouse, "select customer_id from raw_crm.customer order by 1") == [
        (1,),
        (2,),
        (3,),
    ]
    assert {i.rel for i in second.ignored} >= {"aavail-customers.db-wal"}


def test_a_file_name_that_is_not_utf8_is_rejected_in_one_line_and_the_others_land(tmp_path):
    sources = tmp_path / "src"
    write_json(sources / "invoices" / "good.json", [invoice_line()])
    bad = os.path.join(os.fsencode(sources / "invoices"), b"caf\xe9.json")
    with open(bad, "wb") as handle:
        handle.write(b'[{"invoice": "1"}]')
    warehouse = tmp_path / "wh.duckdb"

    done = run_cli("load", "--quiet", "--source-dir", str(sources), "--warehouse", str(warehouse))

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "rejected file: invoices/caf\\xe9.json: file name is not valid UTF-8" in done.stdout
    assert query(warehouse, "select file_path, status from raw_meta.files order by 1") == [
        ("invoices/caf\\xe9.json", "rejected"),
        ("invoices/good.json", "landed"),
    ]
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(1,)]
