"""The loader's shortcuts give exactly what the plain way gives (issue 11, goal 3).

* Key discovery counts the records whose key list equals the first record's
  and groups only the others: every kind of deviating record, at every
  position of the file (first, middle, last), must still be found.
* A value's presence is one byte-wise comparison (`value < '!'`) instead of
  `= ''` and `ascii() <= 32`: it must agree with the old expression on every
  short text over the characters that matter (controls, spaces, Unicode blanks).
* The run checkpoints once, at its end: nothing is left in the write-ahead log.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import duckdb
import pytest
from loader_helpers import invoice_line, load, query

NORMAL = json.dumps(invoice_line())


def _reordered() -> str:
    return json.dumps(dict(reversed(list(invoice_line().items()))))


# kind -> (the record as JSON text, whether it lands, the unknown field it brings)
DEVIATING: dict[str, tuple[str, bool, str | None]] = {
    "same keys": (NORMAL, True, None),
    "an unknown field": (json.dumps(invoice_line(coupon="XMAS")), True, "coupon"),
    "an alias": (
        json.dumps({**invoice_line(times_viewed=None), "TimesViewed": 7}).replace(
            '"times_viewed": null, ', ""
        ),
        True,
        None,
    ),
    "a missing optional field": (
        json.dumps({k: v for k, v in invoice_line().items() if k != "customer_id"}),
        True,
        None,
    ),
    "the same keys reordered": (_reordered(), True, None),
    "a repeated key": (NORMAL[:-1] + ', "price": 1.5}', False, None),
    "a case variant": (json.dumps(invoice_line(Price=1.5)), False, None),
    "no keys": ("{}", False, None),
    "only an unknown field": ('{"x": 1}', False, "x"),
}


def _write(path: Path, records: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[" + ",\n".join(records) + "]", encoding="utf-8")
    return path


@pytest.mark.parametrize("position", [0, 2, 4])
@pytest.mark.parametrize("kind", list(DEVIATING))
def test_a_record_with_other_keys_is_found_wherever_it_is(tmp_path, position, kind):
    text, lands, unknown = DEVIATING[kind]
    records = [NORMAL] * 5
    records[position] = text
    sources = tmp_path / "src"
    _write(sources / "invoices" / "m.json", records)
    warehouse = tmp_path / "w.duckdb"

    result = load(sources, warehouse)

    assert (result.rows_read, result.rows_landed, result.rows_rejected) == (
        5,
        5 if lands else 4,
        0 if lands else 1,
    )
    assert result.files[0].unknown_fields == ([unknown] if unknown else [])
    rejected = query(warehouse, "select source_row from raw_meta.rejected_rows")
    assert rejected == ([] if lands else [(position + 1,)])
    if kind == "an alias":
        assert query(
            warehouse,
            "select times_viewed from raw_billing.invoice_lines where _source_row = ?",
            [position + 1],
        ) == [(7,)]
    if unknown and lands:
        assert query(
            warehouse,
            "select _source_row, _extra_fields->>'coupon' from raw_billing.invoice_lines"
            " where _extra_fields is not null",
        ) == [(position + 1, "XMAS")]


def test_a_file_where_every_record_has_its_own_keys(tmp_path):
    """No record shares the first record's key list: each is grouped on its own."""
    records = [text for text, _, _ in DEVIATING.values() if text != NORMAL]
    sources = tmp_path / "src"
    _write(sources / "invoices" / "m.json", records)
    warehouse = tmp_path / "w.duckdb"

    result = load(sources, warehouse)

    landing = [lands for text, lands, _ in DEVIATING.values() if text != NORMAL]
    assert (result.rows_read, result.rows_landed) == (len(records), sum(landing))
    assert result.files[0].unknown_fields == ["coupon", "x"]
    rejected = query(warehouse, "select source_row from raw_meta.rejected_rows order by 1")
    assert rejected == [(i + 1,) for i, lands in enumerate(landing) if not lands]


# Controls, spaces (ASCII and Unicode), the first printable ASCII characters, a
# multi-byte letter, DEL and the byte-order mark.
_CHARS = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x01", "\x1f", "!", '"', "0", "a"]
_CHARS += ["\x7f", "\u00a0", "\u00e9", "\u3000", "\ufeff", "\u2028"]
_TEXTS = ["".join(p) for n in range(3) for p in itertools.product(_CHARS, repeat=n)]


def test_blank_means_what_it_meant_for_every_short_text(tmp_path):
    """A required field is missing exactly when the old presence test said it was blank."""
    con = duckdb.connect()
    old_sql = "select $v = '' or (ascii($v) <= 32 and trim($v) = '')"
    old_blank = [con.execute(old_sql, {"v": text}).fetchall()[0][0] for text in _TEXTS]
    con.close()
    assert any(old_blank) and not all(old_blank)  # the class holds both kinds
    sources = tmp_path / "src"
    records = [json.dumps(invoice_line(country=text)) for text in _TEXTS]
    _write(sources / "invoices" / "m.json", [*records, json.dumps(invoice_line(country=None))])
    warehouse = tmp_path / "w.duckdb"

    load(sources, warehouse)

    missing = query(
        warehouse,
        "select source_row from raw_meta.rejected_rows"
        " where reason = 'missing required field country' order by 1",
    )
    expected = [i + 1 for i, blank in enumerate(old_blank) if blank] + [len(_TEXTS) + 1]
    assert [row for (row,) in missing] == expected
    assert query(warehouse, "select count(*) from raw_meta.rejected_rows") == [(len(expected),)]


def test_the_run_checkpoints_once_and_leaves_no_write_ahead_log(tmp_path):
    sources = tmp_path / "src"
    for month in range(1, 4):
        lines = [json.dumps(invoice_line(month=f"{month:02d}", invoice=str(k))) for k in range(50)]
        _write(sources / "invoices" / f"2018-{month:02d}.json", lines)
    warehouse = tmp_path / "w.duckdb"

    result = load(sources, warehouse)

    assert result.rows_landed == 150 and result.problem is None
    assert not Path(f"{warehouse}.wal").exists()
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(150,)]
