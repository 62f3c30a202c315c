"""Issue 8 point 7 (CSV line endings) and point 6 (`aavail-streams.CSV`), plus a little fuzzing.

A streams CSV with `\\r`-only line endings crashed the load with a traceback;
each kind of line ending now lands the same rows, mixed kinds reject the file
in one line, and no byte soup in any source format raises.
"""

from __future__ import annotations

import json
import random

import duckdb
import pytest
from loader_helpers import invoice_line, load, query, run_cli, write_json

from python_loaders.ingestion.readers import FileRejected, read_csv_file
from python_loaders.ingestion.sources.streaming import STREAMS

HEADER = "customer_id,stream_id,date,invoice_item_id,subscription_stopped"
ROWS = ["1,1420,2018-10-21,2.0,0", '2,"a,b",2018-10-22,2.0,0', "3,,2018-10-23,1.0,1"]
EXPECTED = [
    (1, "1", "1420", "2018-10-21", "2.0", "0"),
    (2, "2", "a,b", "2018-10-22", "2.0", "0"),
    (3, "3", None, "2018-10-23", "1.0", "1"),
]


def _stage(path) -> list[tuple]:
    con = duckdb.connect()
    try:
        (staged,) = read_csv_file(con, path, STREAMS)
        return con.execute(f"select * from {staged.relation} order by _source_row").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("final", [True, False], ids=["final-newline", "no-final-newline"])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_every_kind_of_line_ending_stages_the_same_rows(tmp_path, newline, final):
    path = tmp_path / "aavail-streams.csv"
    path.write_bytes((newline.join([HEADER, *ROWS]) + (newline if final else "")).encode())

    assert _stage(path) == EXPECTED


@pytest.mark.parametrize(
    "endings",
    [("\r\n", "\n"), ("\n", "\r\n"), ("\r", "\n"), ("\n", "\r"), ("\r\n", "\r"), ("\r", "\r\n")],
    ids=lambda e: "+".join(repr(x) for x in e),
)
def test_mixed_line_endings_reject_the_file_in_one_line(tmp_path, endings):
    first, other = endings
    path = tmp_path / "aavail-streams.csv"
    path.write_bytes(
        (HEADER + first + ROWS[0] + first + ROWS[1] + other + ROWS[2] + first).encode()
    )

    with pytest.raises(FileRejected, match=r"^mixed line endings \(.+\) in one file"):
        _stage(path)


def test_a_cr_only_streams_file_lands_through_the_cli_with_the_other_files(tmp_path):
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "aavail-streams.csv").write_bytes(("\r".join([HEADER, *ROWS]) + "\r").encode())
    write_json(sources / "invoices" / "m.json", [invoice_line()])
    warehouse = tmp_path / "wh.duckdb"

    done = run_cli("load", "--source-dir", str(sources), "--warehouse", str(warehouse), "--quiet")

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert query(warehouse, "select count(*) from raw_streaming.streams") == [(3,)]
    assert query(warehouse, "select count(*) from raw_billing.invoice_lines") == [(1,)]


def test_an_upper_case_csv_extension_is_a_streams_file(tmp_path, warehouse):
    sources = tmp_path / "src"
    sources.mkdir()
    (sources / "aavail-streams.CSV").write_text("\n".join([HEADER, *ROWS]) + "\n")
    (sources / "AAVAIL-STREAMS-2019.Csv").write_text("\n".join([HEADER, ROWS[0]]) + "\n")

    result = load(sources, warehouse)

    assert result.exit_code == 0
    assert query(warehouse, "select file_path, rows_landed from raw_meta.files order by 1") == [
        ("AAVAIL-STREAMS-2019.Csv", 1),
        ("aavail-streams.CSV", 3),
    ]


def _soup(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


GOOD_JSON = json.dumps([invoice_line(), invoice_line(invoice="C2", customer_id=None)]).encode()
GOOD_CSV = ("\n".join([HEADER, *ROWS]) + "\n").encode()


def _mutations(good: bytes, seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        found.append(bytes(data))
    return found


def test_byte_soup_in_any_source_format_never_raises(tmp_path, warehouse):
    """Random bytes, NUL bytes, BOMs, UTF-16, a huge line and random mutations of
    good files: every file is landed or rejected with a one-line reason."""
    sources = tmp_path / "src"
    (sources / "invoices").mkdir(parents=True)
    files = {
        "invoices/random.json": _soup(1, 4000),
        "invoices/nul.json": b"\x00" * 64,
        "invoices/bom.json": b"\xef\xbb\xbf" + GOOD_JSON,
        "invoices/utf16.json": GOOD_JSON.decode().encode("utf-16"),
        "invoices/nul-inside.json": GOOD_JSON.replace(b"Kingdom", b"King\x00dom"),
        "aavail-streams-random.csv": _soup(2, 4000),
        "aavail-streams-nul.csv": GOOD_CSV.replace(b"1420", b"14\x0020"),
        "aavail-streams-bom.csv": b"\xef\xbb\xbf" + GOOD_CSV,
        "aavail-streams-utf16.csv": GOOD_CSV.decode().encode("utf-16"),
        "aavail-streams-huge-line.csv": (HEADER + "\n1," + "x" * 3_000_000 + ",2018-10-21,2,0\n")
        .encode(),
        "aavail-customers.db": b"SQLite format 3\x00" + _soup(3, 5000),
    }  # fmt: skip
    for i, data in enumerate(_mutations(GOOD_JSON, 4, 12)):
        files[f"invoices/mutated-{i}.json"] = data
    for i, data in enumerate(_mutations(GOOD_CSV, 5, 12)):
        files[f"aavail-streams-mutated-{i}.csv"] = data
    for name, data in files.items():
        (sources / name).write_bytes(data)

    result = load(sources, warehouse, max_reject_rate=1.0)

    outcomes = {f.path: f for f in result.files}
    assert set(outcomes) == set(files)
    for name, outcome in outcomes.items():
        assert outcome.status in ("landed", "rejected"), name
        if outcome.status == "rejected":
            assert outcome.error and "\n" not in outcome.error, name
        else:
            assert outcome.rows_read == outcome.rows_landed + outcome.rows_rejected, name
    for name in ("invoices/bom.json", "aavail-streams-bom.csv"):
        assert outcomes[name].status == "landed" and outcomes[name].rows_rejected == 0
    for name in ("invoices/utf16.json", "aavail-streams-utf16.csv", "invoices/random.json"):
        assert outcomes[name].status == "rejected"
    assert "Maximum line size" in (outcomes["aavail-streams-huge-line.csv"].error or "")
