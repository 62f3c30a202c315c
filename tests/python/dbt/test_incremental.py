"""The invoice lines are incremental by invoice month, reproduced with the project's CLI.

On DuckDB the staging table stg_billing__invoice_lines is the incremental table
and the mart fct_invoice_lines a view over it. One small warehouse goes through
the scenarios a maintainer meets: a first build; two loads between two builds
(a new month, and a re-landed month with changed content); a month whose
re-landing rejected every row, so it vanishes from raw; lines left stale behind
raw, which the build's tests must catch; and the end state, which must equal a
full refresh. Each build must rebuild exactly the months that changed (recorded
in raw_meta.dbt_invoice_month_rebuilds, the months the scoped tests check) and
leave history alone.
"""

from __future__ import annotations

import json
import shutil

import duckdb
from build_helpers import failed_nodes, generate_sources, month_of

SELECT_LINES = "select * from marts.fct_invoice_lines order by invoice_line_id"
# Where DuckDB stores the lines: the mart is a view over it.
STORED_LINES = "staging.stg_billing__invoice_lines"


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


def _build(warehouse, *args: str, check: bool = True):
    return warehouse.dbt(
        "build", "--select", "+fct_invoice_lines", "--exclude", "resource_type:unit_test", *args,
        check=check,
    )  # fmt: skip


def test_each_build_rebuilds_exactly_the_changed_months(dbt_warehouse_factory, tmp_path):
    generated = tmp_path / "generated"
    generate_sources(generated)
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
    assert _rebuilt_months(warehouse, first) == {month_of(f) for f in month_files[:-1]}
    [(view_sql,)] = warehouse.query(
        "select sql from duckdb_views() where schema_name = 'marts'"
        " and view_name = 'fct_invoice_lines'"
    )
    assert "stg_billing__invoice_lines" in view_sql

    # Mark one stored line of the oldest month: a rebuild of history would lose the mark.
    with duckdb.connect(str(warehouse.path)) as con:
        [(marked_id, original_file)] = con.execute(
            "select invoice_line_id, source_file from marts.fct_invoice_lines"
            " where invoice_month = cast(? as date) order by invoice_line_id limit 1",
            [month_of(oldest)],
        ).fetchall()
        con.execute(
            f"update {STORED_LINES} set source_file = 'history-mark' where invoice_line_id = ?",
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
    assert _rebuilt_months(warehouse, second) == {month_of(newest), month_of(changed)}
    [(mark,)] = warehouse.query(
        f"select source_file from marts.fct_invoice_lines where invoice_line_id = '{marked_id}'"
    )
    assert mark == "history-mark", "the incremental build rebuilt an old month"
    assert _lines_in(warehouse, month_of(newest)) > 0

    # A re-landing of one month whose every row is rejected: the month vanishes from
    # raw (the load fails loudly, exit 1), and the next build deletes its lines.
    assert _lines_in(warehouse, month_of(vanishing)) > 0
    with duckdb.connect(str(warehouse.path)) as con:
        stale = con.execute(
            f"select * from {STORED_LINES} where invoice_month = cast(? as date)",
            [month_of(vanishing)],
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
        f" where make_date(cast(year as int), cast(month as int), 1) = '{month_of(vanishing)}'"
    )
    assert raw_rows == 0
    _build(warehouse)
    third = warehouse.run_results["metadata"]["invocation_id"]
    assert _rebuilt_months(warehouse, third) == {month_of(vanishing)}
    assert _lines_in(warehouse, month_of(vanishing)) == 0

    # A build that left those lines behind (as the model once did) fails the
    # build's own tests: every month is reconciled with raw, not only the newest load's.
    with duckdb.connect(str(warehouse.path)) as con:
        con.register("stale", stale)
        con.execute(f"insert into {STORED_LINES} select * from stale")
    warehouse.dbt("test", "--select", "fct_invoice_lines", check=False)
    assert "assert_fct_invoice_lines_months_match_raw" in failed_nodes(warehouse)
    # ... and the next build repairs it: the month differs from raw, so it is rebuilt.
    _build(warehouse)
    assert _lines_in(warehouse, month_of(vanishing)) == 0

    # The end state equals a full refresh.
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute(
            f"update {STORED_LINES} set source_file = ? where invoice_line_id = ?",
            [original_file, marked_id],
        )
    incremental = warehouse.query(SELECT_LINES)
    staged = warehouse.query(f"select count(*), sum(price) from {STORED_LINES}")
    warehouse.dbt(
        "run", "--select", "stg_billing__invoice_lines", "fct_invoice_lines", "--full-refresh"
    )
    full_refresh = warehouse.query(SELECT_LINES)
    assert len(incremental) == len(full_refresh) == staged[0][0]
    assert incremental == full_refresh
    assert sum(row[12] for row in incremental) == staged[0][1]
