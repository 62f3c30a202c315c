"""Issue 8 point 1: a JSON file is one complete array, or it is rejected whole.

DuckDB's array reader returns the records before a cut (`[{...},` at end of
file); the loader checks the document's end itself. Tested over every byte
offset of a small file and over cut points of real and generated files.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from loader_helpers import invoice_line, load, query

from python_loaders.ingestion.readers import FileRejected, read_json_array
from python_loaders.ingestion.sources.billing import INVOICE_LINES

# Strings holding every character that could end a JSON document or a record.
TRICKY = [
    invoice_line(),
    invoice_line(country='x}],{"y', stream_id="POST ]", invoice="C1", price=-1.5e3),
    invoice_line(country='back\\slash "q" }, ]', customer_id=None, times_viewed=0),
]


_CON = duckdb.connect()  # one in-memory connection for the many reads below


def _read(path: Path) -> int:
    """Records the loader's JSON reader stages from the file (raises FileRejected)."""
    return sum(s.rows_read for s in read_json_array(_CON, path, INVOICE_LINES))


def _rejected_cuts(document: bytes, cuts: list[int], path: Path) -> list[int]:
    """The cut points whose prefix the reader does NOT reject (should be none)."""
    accepted = []
    for cut in cuts:
        path.write_bytes(document[:cut])
        try:
            _read(path)
        except FileRejected:
            continue
        accepted.append(cut)
    return accepted


@pytest.mark.parametrize("indent", [None, 1], ids=["compact", "indented"])
def test_every_byte_offset_of_a_small_file_is_rejected(tmp_path, indent):
    document = json.dumps(TRICKY, indent=indent).encode()
    path = tmp_path / "cut.json"

    assert _rejected_cuts(document, list(range(len(document))), path) == []
    # The whole document, and with trailing whitespace, reads every record.
    for tail in (b"", b"\n", b" \r\n\t "):
        path.write_bytes(document + tail)
        assert _read(path) == len(TRICKY)


def _cut_points(document: bytes, limit: int) -> list[int]:
    """Cuts right after `}`, `},` (and whitespace), inside strings and numbers, spread out."""
    cuts: set[int] = set()
    for pattern in (rb"\}", rb"\},", rb'"[A-Za-z]', rb"[0-9]\.[0-9]", rb'":'):
        positions = [m.end() for m in re.finditer(pattern, document)]
        step = max(1, len(positions) // limit)
        cuts.update(positions[::step])
        cuts.update(positions[-3:])  # the very end is where a real transfer stops
    return sorted(c for c in cuts if c < len(document.rstrip()))


def test_cut_points_of_the_real_billing_files_are_rejected(reference_dir, tmp_path):
    for name in ("invoices-2017-11.json", "invoices-2019-12.json"):
        document = (reference_dir / "invoices" / name).read_bytes()
        cuts = _cut_points(document, limit=12)
        assert len(cuts) > 40
        path = tmp_path / name
        assert _rejected_cuts(document, cuts, path) == []
        # after whitespace too: a cut followed by a newline is still a cut
        for cut in cuts[::4]:
            path.write_bytes(document[:cut] + b"\n  ")
            with pytest.raises(FileRejected):
                _read(path)


def test_cut_points_of_generated_billing_files_are_rejected(tmp_path):
    from python_loaders.generator import generate_sources

    generate_sources(tmp_path / "gen", seed=3, customers=20, invoice_lines=400, quiet=True)
    files = sorted((tmp_path / "gen" / "invoices").glob("*.json"))
    document = files[len(files) // 2].read_bytes()
    expected = len(json.loads(document))

    assert _rejected_cuts(document, _cut_points(document, limit=10), tmp_path / "cut.json") == []
    assert _read(files[len(files) // 2]) == expected


def test_a_cut_file_lands_nothing_and_says_truncated(billing_dir, warehouse):
    sources = billing_dir({"good.json": [invoice_line()]})
    whole = json.dumps([invoice_line(invoice=str(i)) for i in range(5)]).encode()
    cut = whole[: whole.rindex(b"},") + 2]  # ends `},`: DuckDB would land 4 records
    (sources / "invoices" / "cut.json").write_bytes(cut)

    result = load(sources, warehouse)

    assert result.exit_code == 1
    files = dict(query(warehouse, "select file_path, status from raw_meta.files"))
    assert files == {"invoices/good.json": "landed", "invoices/cut.json": "rejected"}
    error = query(warehouse, "select error from raw_meta.files where status = 'rejected'")[0][0]
    assert error.startswith("truncated JSON") and "\n" not in error
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(1,)]


WHOLE = json.dumps([invoice_line(), invoice_line(invoice="2")])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "the file is empty", id="empty"),
        pytest.param(b"  \n\t\r\n ", "the file is only whitespace", id="whitespace-only"),
        pytest.param(b"\xef\xbb\xbf \n", "the file is only whitespace", id="bom-and-whitespace"),
        pytest.param((WHOLE + " xyz").encode(), "data after the array", id="trailing-garbage"),
        pytest.param((WHOLE + "]").encode(), "", id="extra-bracket"),
        pytest.param((WHOLE + WHOLE).encode(), "after the array's closing ']'", id="two-arrays"),
        pytest.param(
            (WHOLE + "\n" + WHOLE).encode(), "after the array's closing ']'", id="two-arrays-lines"
        ),
        pytest.param((WHOLE[:-1] + ",]").encode(), "trailing comma", id="trailing-comma"),
        pytest.param(json.dumps(invoice_line()).encode(), "JSON object", id="top-level-object"),
        pytest.param(b"[", "truncated JSON", id="only-the-bracket"),
        pytest.param(WHOLE[:-1].encode(), "truncated JSON", id="no-closing-bracket"),
    ],
)
def test_a_file_that_is_not_one_complete_array_is_rejected(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)

    with pytest.raises(FileRejected) as rejected:
        _read(path)

    assert message in str(rejected.value) and "\n" not in str(rejected.value)


def test_an_empty_array_is_a_complete_document(billing_dir, warehouse):
    sources = billing_dir({"empty.json": []})

    assert load(sources, warehouse).exit_code == 0
    assert query(warehouse, "select status, rows_read from raw_meta.files") == [("landed", 0)]
