"""Guarantee 6: file names, field names and values never reach SQL as text."""

from __future__ import annotations

import json

from loader_helpers import invoice_line, load, query


def test_a_file_name_full_of_sql_loads_normally(billing_dir, warehouse):
    name = "it's; drop table x;--.json"
    sources = billing_dir({name: [invoice_line()], "plain.json": [invoice_line(invoice="2")]})
    (sources / "invoices" / "._plain.json").write_bytes(b"\x00\x05\x16\x07")  # macOS litter

    result = load(sources, warehouse)

    assert result.exit_code == 0 and result.count("landed") == 2
    assert query(
        warehouse, "select _source_file from raw_billing.invoice_lines where invoice = '489434'"
    ) == [(f"invoices/{name}",)]
    assert query(
        warehouse, "select status from raw_meta.files where file_path = $1", [f"invoices/{name}"]
    ) == [("landed",)]
    # Re-loading finds it by its name: skipped, not landed again.
    assert load(sources, warehouse).count("skipped") == 2


def test_field_names_and_values_full_of_sql_land_as_data(billing_dir, warehouse):
    evil_key = 'x"); drop table raw_meta.files; --'
    record = invoice_line(country="'; drop table raw_billing.invoice_lines; --")
    record[evil_key] = 'o\'brien "quoted"'
    sources = billing_dir({"a.json": [record]})

    result = load(sources, warehouse)

    assert result.exit_code == 0
    rows = query(warehouse, "select country, _extra_fields from raw_billing.invoice_lines")
    assert rows[0][0] == "'; drop table raw_billing.invoice_lines; --"
    assert json.loads(rows[0][1]) == {evil_key: 'o\'brien "quoted"'}
    assert query(warehouse, "select unknown_fields from raw_meta.files") == [([evil_key],)]


def test_a_source_dir_with_quotes_in_its_path_loads(tmp_path, warehouse):
    from loader_helpers import write_json

    sources = tmp_path / 'it\'s "here"'
    write_json(sources / "invoices" / "a.json", [invoice_line()])

    assert load(sources, warehouse).exit_code == 0
    assert query(warehouse, "select source_dir from raw_meta.loads") == [(str(sources.resolve()),)]
