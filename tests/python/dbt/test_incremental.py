"""fct_invoice_lines is incremental by invoice month, reproduced with the project's CLI.

One small warehouse goes through the scenarios a maintainer meets: a first
build; two loads between two builds (a new month, and a re-landed month with
changed content); a month whose re-landing rejected every row, so it vanishes
from raw; a fact left stale behind raw, which the build's tests must catch; and
the end state, which must equal a full refresh. Each build must rebuild exactly
the months that changed (recorded in raw_meta.dbt_invoice_month_rebuilds, the
months the scoped tests check) and leave history alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

SELECT_LINES = "select * from marts.fct_invoice_lines order by invoice_line_id"


def _generate(out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "python_loaders", "generate", "--out", str(out), "--seed", "5",
         "--customers", "100", "--invoice-lines", "8000"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def _month(file: Path) -> str:
    return file.stem.removeprefix("invoices-") + "-01"


def _rebuilt_months(warehouse, invocation_id: str) -> set[str]:
    rows = warehouse.query(
        "select cast(invoice_month as varchar) from raw_meta.dbt_invoice_month_rebuilds"
        f" where invocation_id = '{invocation_id}' and invoice_month is not null"
    )
    return {month for (month,) in rows}


def _lines_in(warehouse, month: str) -> int:
    [(count,)] = warehouse.query(
        f"select count(*) from marts.fct_invoice_lines where invoice_month = '{month}'"
    )
    return count


def _failed(warehouse) -> set[str]:
    return {
        r["unique_id"].split(".")[2]
        for r in warehouse.run_results["results"]
        if r["status"] in ("fail", "error")
    }


def _build(warehouse, *args: str, check: bool = True):
    return warehouse.dbt(
        "build", "--select", "+fct_invoice_lines", "--exclude", "resource_type:unit_test", *args,
        check=check,
    )  # fmt: skip


def test_each_build_rebuilds_exactly_the_changed_months(dbt_warehouse_factory, tmp_path):
    generated = tmp_path / "generated"
    _generate(generated)
    month_files = sorted((generated / "invoices").rglob("*.json"))
    newest, changed, vanishing = month_files[-1], month_files[-2], month_files[-5]
    oldest = month_files[0]

    # First build: every month but the newest.
    sources = tmp_path / "sources"
    shutil.copytree(generated, sources)
    (sources / newest.relative_to(generated)).unlink()
    warehouse = dbt_warehouse_factory("incremental")
    warehouse.load(sources)
    _build(warehouse)
    first = warehouse.run_results["metadata"]["invocation_id"]
    assert _rebuilt_months(warehouse, first) == {_month(f) for f in month_files[:-1]}

    # Mark one line of the oldest month: a rebuild of history would lose the mark.
    with duckdb.connect(str(warehouse.path)) as con:
        [(marked_id, original_file)] = con.execute(
            "select invoice_line_id, source_file from marts.fct_invoice_lines"
            " where invoice_month = cast(? as date) order by invoice_line_id limit 1",
            [_month(oldest)],
        ).fetchall()
        con.execute(
            "update marts.fct_invoice_lines set source_file = 'history-mark'"
            " where invoice_line_id = ?",
            [marked_id],
        )

    # Two loads land before the next build: the newest month, then month n-1
    # re-landed with changed content (5 lines fewer, one price changed).
    shutil.copy(newest, sources / newest.relative_to(generated))
    warehouse.load(sources)
    records = json.loads(changed.read_text())
    kept = records[5:]
    price_field = next(k for k in kept[0] if k.lower() in ("price", "total_price"))
    kept[0][price_field] = round(kept[0][price_field] + 1000.01, 2)
    (sources / changed.relative_to(generated)).write_text(json.dumps(kept))
    warehouse.load(sources)
    _build(warehouse)
    second = warehouse.run_results["metadata"]["invocation_id"]
    assert _rebuilt_months(warehouse, second) == {_month(newest), _month(changed)}
    [(mark,)] = warehouse.query(
        f"select source_file from marts.fct_invoice_lines where invoice_line_id = '{marked_id}'"
    )
    assert mark == "history-mark", "the incremental build rebuilt an old month"
    assert _lines_in(warehouse, _month(newest)) > 0

    # A re-landing of one month whose every row is rejected: the month vanishes from
    # raw (the load fails loudly, exit 1), and the next build deletes its lines.
    assert _lines_in(warehouse, _month(vanishing)) > 0
    with duckdb.connect(str(warehouse.path)) as con:
        stale = con.execute(
            "select * from marts.fct_invoice_lines where invoice_month = cast(? as date)",
            [_month(vanishing)],
        ).df()
    records = json.loads(vanishing.read_text())
    for record in records:
        for key in [k for k in record if k.lower() == "invoice"]:
            del record[key]
    (sources / vanishing.relative_to(generated)).write_text(json.dumps(records))
    result = warehouse.cli("load", "--source-dir", str(sources), "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr
    [(raw_rows,)] = warehouse.query(
        "select count(*) from raw_billing.invoice_lines"
        f" where make_date(cast(year as int), cast(month as int), 1) = '{_month(vanishing)}'"
    )
    assert raw_rows == 0
    _build(warehouse)
    third = warehouse.run_results["metadata"]["invocation_id"]
    assert _rebuilt_months(warehouse, third) == {_month(vanishing)}
    assert _lines_in(warehouse, _month(vanishing)) == 0

    # A build that left those lines behind (as the model once did) fails the
    # build's own tests: every month is reconciled with raw, not only the newest load's.
    with duckdb.connect(str(warehouse.path)) as con:
        con.register("stale", stale)
        con.execute("insert into marts.fct_invoice_lines select * from stale")
    warehouse.dbt("test", "--select", "fct_invoice_lines", check=False)
    assert "assert_fct_invoice_lines_months_match_raw" in _failed(warehouse)
    # ... and the next build repairs it: the month differs from raw, so it is rebuilt.
    _build(warehouse)
    assert _lines_in(warehouse, _month(vanishing)) == 0

    # The end state equals a full refresh.
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute(
            "update marts.fct_invoice_lines set source_file = ? where invoice_line_id = ?",
            [original_file, marked_id],
        )
    incremental = warehouse.query(SELECT_LINES)
    staged = warehouse.query("select count(*), sum(price) from staging.stg_billing__invoice_lines")
    warehouse.dbt("run", "--select", "fct_invoice_lines", "--full-refresh")
    full_refresh = warehouse.query(SELECT_LINES)
    assert len(incremental) == len(full_refresh) == staged[0][0]
    assert incremental == full_refresh
    assert sum(row[12] for row in incremental) == staged[0][1]
