"""fct_invoice_lines is incremental: a new month (and a re-landed, changed
month) is processed without rebuilding history, and the result equals a full refresh."""

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


def test_incremental_run_equals_full_refresh(dbt_warehouse_factory, tmp_path):
    generated = tmp_path / "generated"
    _generate(generated)
    month_files = sorted((generated / "invoices").rglob("*.json"))
    newest, changed, oldest = month_files[-1], month_files[-2], month_files[0]

    # Load months 1..n-1 and build.
    sources = tmp_path / "sources"
    shutil.copytree(generated, sources)
    (sources / newest.relative_to(generated)).unlink()
    warehouse = dbt_warehouse_factory("incremental")
    warehouse.load(sources)
    warehouse.dbt("build", "--select", "+fct_invoice_lines", "--indirect-selection", "cautious")

    # Mark one line of the oldest month: a rebuild of history would lose the mark.
    oldest_month = oldest.stem.removeprefix("invoices-") + "-01"
    with duckdb.connect(str(warehouse.path)) as con:
        [(marked_id, original_file)] = con.execute(
            "select invoice_line_id, source_file from marts.fct_invoice_lines"
            " where invoice_month = cast(? as date) order by invoice_line_id limit 1",
            [oldest_month],
        ).fetchall()
        con.execute(
            "update marts.fct_invoice_lines set source_file = 'history-mark'"
            " where invoice_line_id = ?",
            [marked_id],
        )

    # Month n lands; month n-1 is re-landed with changed content.
    shutil.copy(newest, sources / newest.relative_to(generated))
    records = json.loads(changed.read_text())
    kept = records[5:]
    price_field = next(k for k in kept[0] if k.lower() in ("price", "total_price"))
    kept[0][price_field] = round(kept[0][price_field] + 1000.01, 2)
    (sources / changed.relative_to(generated)).write_text(json.dumps(kept))
    warehouse.load(sources)
    warehouse.dbt("run", "--select", "fct_invoice_lines")

    new_month = newest.stem.removeprefix("invoices-") + "-01"
    [(mark,)] = warehouse.query(
        f"select source_file from marts.fct_invoice_lines where invoice_line_id = '{marked_id}'"
    )
    assert mark == "history-mark", "the incremental run rebuilt an old month"
    [(new_lines,)] = warehouse.query(
        f"select count(*) from marts.fct_invoice_lines where invoice_month = '{new_month}'"
    )
    assert new_lines > 0

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
