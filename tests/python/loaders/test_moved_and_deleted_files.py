"""Issue 8 point 5: files that move, are copied, disappear, or come from a second source dir.

Content already in place is recognised by its sha256: a moved or renamed
file has its rows re-pointed (never landed twice), a second copy is rejected,
a deleted file is reported as missing with its rows kept until
`load --prune-missing`, and a colliding name from another source dir never
replaces rows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from loader_helpers import invoice_line, load, query, run_cli, write_json

from python_loaders.ingestion.loading import summary


def _month(n: int, month: str = "11") -> list[dict[str, object]]:
    return [invoice_line(invoice=str(1000 + k), month=month) for k in range(n)]


def _lines_by_file(warehouse: Path) -> dict[str, int]:
    return dict(
        query(
            warehouse,
            "select _source_file, count(*) from raw_billing.invoice_lines group by 1",
        )
    )


def test_a_renamed_or_moved_file_is_recognised_and_never_lands_twice(billing_dir, warehouse):
    sources = billing_dir({"a.json": _month(3), "b.json": _month(2, "12")})
    load(sources, warehouse)
    invoices = sources / "invoices"
    (invoices / "2017").mkdir()
    (invoices / "a.json").rename(invoices / "2017" / "a-renamed.json")
    (invoices / "b.json").rename(invoices / "b2.json")

    result = load(sources, warehouse)

    assert result.exit_code == 0
    assert {f.path: f.status for f in result.files} == {
        "invoices/2017/a-renamed.json": "moved",
        "invoices/b2.json": "moved",
    }
    assert _lines_by_file(warehouse) == {"invoices/2017/a-renamed.json": 3, "invoices/b2.json": 2}
    assert query(
        warehouse,
        "select file_path, status, moved_from, rows_landed from raw_meta.files order by 1",
    ) == [
        ("invoices/2017/a-renamed.json", "landed", "invoices/a.json", 3),
        ("invoices/b2.json", "landed", "invoices/b.json", 2),
    ]
    assert result.missing == []
    # re-pointed rows carry the moving run's load id, so incremental models rebuild them
    assert query(warehouse, "select distinct _load_id from raw_billing.invoice_lines") == [(2,)]
    assert "moved file: invoices/2017/a-renamed.json: moved from invoices/a.json" in summary(result)


def _summary(sources: Path, warehouse: Path, *extra: str) -> str:
    done = run_cli(
        "load", "--quiet", "--source-dir", str(sources), "--warehouse", str(warehouse), *extra
    )
    assert "Traceback" not in done.stderr
    return done.stdout


def test_a_second_copy_of_landed_content_is_rejected_not_counted_twice(billing_dir, warehouse):
    sources = billing_dir({"a.json": _month(3)})
    load(sources, warehouse)
    shutil.copyfile(sources / "invoices" / "a.json", sources / "invoices" / "a-copy.json")
    # Two new identical files in one run: one lands, the other is the copy.
    write_json(sources / "invoices" / "c.json", _month(2, "12"))
    write_json(sources / "invoices" / "d.json", _month(2, "12"))

    result = load(sources, warehouse)

    assert result.exit_code == 1
    outcome = {f.path: (f.status, f.error) for f in result.files}
    assert outcome["invoices/a-copy.json"][0] == "rejected"
    assert "same content as invoices/a.json" in outcome["invoices/a-copy.json"][1]
    assert outcome["invoices/c.json"] == ("landed", None)
    assert outcome["invoices/d.json"][0] == "rejected"
    assert "same content as invoices/c.json" in outcome["invoices/d.json"][1]
    assert _lines_by_file(warehouse) == {"invoices/a.json": 3, "invoices/c.json": 2}


def test_copies_of_content_without_rows_both_land(billing_dir, warehouse):
    sources = billing_dir({"empty-1.json": [], "empty-2.json": []})
    result = load(sources, warehouse)
    assert result.exit_code == 0 and result.count("landed") == 2


def test_a_deleted_file_is_reported_missing_and_pruned_only_on_request(billing_dir, warehouse):
    sources = billing_dir({"a.json": _month(3), "b.json": _month(2, "12")})
    load(sources, warehouse)
    (sources / "invoices" / "a.json").unlink()

    kept = _summary(sources, warehouse)

    assert "missing file: invoices/a.json" in kept and "--prune-missing" in kept
    assert _lines_by_file(warehouse) == {"invoices/a.json": 3, "invoices/b.json": 2}
    assert query(
        warehouse, "select file_path, missing_since_load_id from raw_meta.files order by 1"
    ) == [("invoices/a.json", 2), ("invoices/b.json", None)]
    assert query(warehouse, "select files_missing from raw_meta.loads where load_id = 2") == [(1,)]

    pruned = _summary(sources, warehouse, "--prune-missing")

    assert "pruned file: invoices/a.json: 3 rows removed" in pruned
    assert _lines_by_file(warehouse) == {"invoices/b.json": 2}
    assert query(warehouse, "select file_path from raw_meta.files") == [("invoices/b.json",)]


def test_a_second_source_dir_never_replaces_rows_under_a_colliding_name(tmp_path, warehouse):
    first = tmp_path / "first"
    second = tmp_path / "second"
    write_json(first / "invoices" / "a.json", _month(3))
    write_json(first / "invoices" / "b.json", _month(2, "12"))
    write_json(second / "invoices" / "a.json", _month(1))  # same name, other content
    shutil.copyfile(first / "invoices" / "b.json", second / "invoices" / "b.json")
    write_json(second / "invoices" / "c.json", _month(4, "10"))
    load(first, warehouse)

    result = load(second, warehouse)

    assert result.exit_code == 1
    outcome = {f.path: (f.status, f.error) for f in result.files}
    assert outcome["invoices/a.json"][0] == "rejected"
    assert str(first.resolve()) in outcome["invoices/a.json"][1]
    assert outcome["invoices/b.json"] == ("skipped", None)
    assert outcome["invoices/c.json"] == ("landed", None)
    assert _lines_by_file(warehouse) == {
        "invoices/a.json": 3,
        "invoices/b.json": 2,
        "invoices/c.json": 4,
    }
    # Files of the first dir are not "missing" from the second one.
    assert result.missing == []
    assert dict(query(warehouse, "select file_path, source_dir from raw_meta.files")) == {
        "invoices/a.json": str(first.resolve()),
        "invoices/b.json": str(first.resolve()),
        "invoices/c.json": str(second.resolve()),
    }


def test_a_corrected_re_export_under_a_new_name_is_reported(billing_dir, warehouse):
    sources = billing_dir({"invoices-2017-11.json": _month(3)})
    load(sources, warehouse)
    corrected = _month(3)
    corrected[0]["price"] = 99.5
    write_json(sources / "invoices" / "invoices-2017-11-corrected.json", corrected)

    out = _summary(sources, warehouse)

    files = "invoices/invoices-2017-11-corrected.json, invoices/invoices-2017-11.json"
    assert f"warning: invoice month 2017-11 comes from 2 files ({files})" in out


def test_the_same_bytes_under_another_source_s_name_are_not_a_move(billing_dir, warehouse):
    sources = billing_dir({"a.json": _month(3)})
    load(sources, warehouse)
    (sources / "invoices" / "a.json").rename(sources / "aavail-streams.csv")

    result = load(sources, warehouse)

    assert [(f.path, f.status == "moved") for f in result.files] == [("aavail-streams.csv", False)]
    assert _lines_by_file(warehouse) == {"invoices/a.json": 3}  # kept, reported missing
    assert [m.path for m in result.missing] == ["invoices/a.json"]


def test_a_source_dir_that_was_moved_away_hands_its_files_over(tmp_path, warehouse):
    first = tmp_path / "first"
    write_json(first / "invoices" / "a.json", _month(3))
    load(first, warehouse)
    first.rename(tmp_path / "archived")  # the old folder no longer exists
    second = tmp_path / "second"
    write_json(second / "invoices" / "a.json", _month(1))

    result = load(second, warehouse)

    assert result.exit_code == 0 and result.count("landed") == 1
    assert _lines_by_file(warehouse) == {"invoices/a.json": 1}
    assert query(warehouse, "select source_dir from raw_meta.files") == [(str(second.resolve()),)]


def test_a_re_export_that_replaced_the_old_file_fails_the_run_until_pruned(billing_dir, warehouse):
    sources = billing_dir({"invoices-2017-11.json": _month(3)})
    load(sources, warehouse)
    (sources / "invoices" / "invoices-2017-11.json").unlink()
    corrected = _month(3)
    corrected[0]["price"] = 99.5
    write_json(sources / "invoices" / "invoices-2017-11-v2.json", corrected)

    replaced = load(sources, warehouse)

    assert replaced.exit_code == 1
    assert replaced.problem and "invoice month 2017-11 is counted from" in replaced.problem
    assert "invoices/invoices-2017-11.json, no longer in the source dir" in replaced.problem
    assert "--prune-missing" in replaced.problem

    pruned = load(sources, warehouse, prune_missing=True)

    assert pruned.exit_code == 0 and pruned.conflicts == [] and pruned.warnings == []
    assert _lines_by_file(warehouse) == {"invoices/invoices-2017-11-v2.json": 3}
