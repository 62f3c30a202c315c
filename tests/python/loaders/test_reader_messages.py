"""Issue 8 point 10 (reader part): messages a user can act on.

JSON syntax errors give the byte offset in the FILE (DuckDB's offset is
relative to an internal buffer), a line, a column and a record; an
unbalanced CSV quote names the line where the quote opened; a semicolon- or
tab-delimited CSV gets one file-level hint; a record above DuckDB's 16 MB
maximum JSON object size says so.
"""

from __future__ import annotations

import json
import re

import duckdb
import pytest
from loader_helpers import invoice_line, load, query

from python_loaders.ingestion.readers import FileRejected, read_csv_file, read_json_array
from python_loaders.ingestion.sources.billing import INVOICE_LINES
from python_loaders.ingestion.sources.streaming import STREAMS

HEADER = "customer_id,stream_id,date,invoice_item_id,subscription_stopped"
GOOD = "1,1420,2018-10-21,2.0,0"


def _reject(reader, spec, path) -> str:
    con = duckdb.connect()
    try:
        with pytest.raises(FileRejected) as rejected:
            reader(con, path, spec)
    finally:
        con.close()
    message = str(rejected.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("line", [2, 3, 6])
@pytest.mark.parametrize("later_quotes", [False, True], ids=["no-later-quote", "later-quote"])
def test_an_unbalanced_quote_names_the_line_it_opened_on(tmp_path, line, later_quotes):
    lines = [HEADER] + [GOOD] * 5
    lines[line - 1] = '4,"abc,2018-10-21,2.0,0'
    if later_quotes and line < 6:
        lines[5] = '5,"x",2018-10-21,2.0,0'
    path = tmp_path / "s.csv"
    path.write_text("\n".join(lines) + "\n")

    message = _reject(read_csv_file, STREAMS, path)

    assert message == f"unbalanced quote: the quoted field opened on line {line} is never closed"


def test_text_after_a_closing_quote_names_its_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("\n".join([HEADER, GOOD, '4,"ab"c,2018-10-21,2.0,0', GOOD]) + "\n")

    assert _reject(read_csv_file, STREAMS, path).startswith("line 3: text after a closing quote")


@pytest.mark.parametrize("fields", ["1,2,2018-10-21,2.0", "1,2,2018-10-21,2.0,0,9"])
def test_a_row_with_the_wrong_number_of_fields_names_its_line(tmp_path, fields):
    path = tmp_path / "s.csv"
    path.write_text("\n".join([HEADER, GOOD, GOOD, fields, GOOD]) + "\n")

    found = len(fields.split(","))
    assert _reject(read_csv_file, STREAMS, path) == (
        f"line 4: expected 5 fields (as in the header), found {found}"
    )


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_another_delimiter_gets_one_file_level_hint(tmp_path, warehouse, delimiter, name):
    sources = tmp_path / "src"
    sources.mkdir()
    lines = [HEADER, GOOD, "2,,2018-10-22,2.0,1"]
    (sources / "aavail-streams.csv").write_text(
        "\n".join(x.replace(",", delimiter) for x in lines) + "\n"
    )

    result = load(sources, warehouse)

    assert result.files[0].status == "rejected"
    assert result.files[0].error == (
        f"the header names none of the expected columns and looks {name}-delimited;"
        " the loader reads comma-separated files only"
    )
    assert query(warehouse, "select count(*) from raw_meta.rejected_rows") == [(0,)]


def _json_reject(path) -> str:
    return _reject(read_json_array, INVOICE_LINES, path)


@pytest.mark.parametrize("fraction", [0.001, 0.3, 0.5, 0.97])
def test_a_json_syntax_error_is_placed_by_its_byte_in_the_file(reference_dir, tmp_path, fraction):
    document = (reference_dir / "invoices" / "invoices-2019-12.json").read_bytes()
    at = document.index(b'"total_price":', int(len(document) * fraction)) + len(b'"total_price":')
    path = tmp_path / "bad.json"
    path.write_bytes(document[:at] + b"x" + document[at:])

    message = _json_reject(path)

    # Oracle: records are counted by their opening `{"country"` in the original bytes.
    record = document.count(b'{"country"', 0, at)
    assert message == (
        f"malformed JSON at byte {at:,} of the file (line 1, column {at + 1:,},"
        f" record {record:,}): Expecting value"
    )


def test_a_json_syntax_error_gives_its_line_and_column_in_a_multi_line_file(tmp_path):
    records = [invoice_line(invoice=str(i)) for i in range(300)]
    document = json.dumps(records, indent=2).encode()
    at = [m.start() for m in re.finditer(rb'"invoice": ', document)][250] + len(b'"invoice": ')
    path = tmp_path / "bad.json"
    path.write_bytes(document[:at] + b"?" + document[at + 1 :])

    message = _json_reject(path)

    line = document.count(b"\n", 0, at) + 1
    column = at - document.rindex(b"\n", 0, at)
    assert message == (
        f"malformed JSON at byte {at:,} of the file (line {line:,}, column {column},"
        " record 251): Expecting value"
    )


def test_a_json_record_over_duckdbs_maximum_object_size_says_so(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text(json.dumps([invoice_line(), invoice_line(country="x" * (40 << 20))]))

    message = _json_reject(path)

    assert message.startswith("a JSON record is larger than DuckDB's maximum JSON object size")
    assert "16 MB" in message
