"""The revenue grid and fct_invoices are incremental by invoice month: every kind of change.

One small warehouse is walked, with the project's CLI and dbt, through every
kind of change a dense daily grid can meet between two builds: a new month
after the last one (the old last month's remaining days and a gap month
become zeros), several loads between two builds, a month re-landed with
changed content, a month shrunk at the end of the range and in the middle, a
new country (its series needs every day), a month whose every row is rejected
(it vanishes from raw) in the middle and at both ends of the range, a country
disappearing, a build with nothing new, a grid built before it kept its
fingerprint, a grid month left stale (the build's own test must fail), and a
--full-refresh followed by a new month.

After each build the incremental tables (the grid, fct_invoices and the two
daily marts) must equal an independent recomputation from the staged lines,
cell by cell, and the grid must have re-aggregated exactly the months whose raw
rows changed. At the end the incremental state must equal a --full-refresh
build, the ml tables included.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
from build_helpers import failed_nodes, generate_sources, month_of

GRID = "intermediate.int_invoice_lines_aggregated_to_days"
GRID_COLUMNS = (
    "revenue_date, series_name, is_all_countries, num_invoice_lines, num_invoices,"
    " num_stream_ids, num_views, revenue, num_rows_landed, newest_load_id"
)
DAILY_COLUMNS = "revenue_date, num_invoice_lines, num_invoices, num_stream_ids, num_views, revenue"
INVOICE_COLUMNS = (
    "invoice_id, invoice_code, invoice_type, invoice_date, invoice_month, customer_id,"
    " country_name, num_invoice_lines, num_product_invoice_lines, num_views, revenue,"
    " num_landed_copies, load_id"
)
STALE_TEST = "assert_revenue_grid_months_match_lines"

# The grid recomputed from the staged lines, written apart from the model: per
# country and per day (no rollup), days from generate_series (no calendar model).
EXPECTED_GRID = f"""
with
lines as (select * from staging.stg_billing__invoice_lines),
bounds as (select min(invoice_date) as first_day, max(invoice_date) as last_day from lines),
days as (
    select cast(day as date) as revenue_date
    from bounds, generate_series(first_day, last_day, interval 1 day) as days(day)
),
series as (
    select distinct country_name as series_name, false as is_all_countries from lines
    union all
    select 'All', true
),
totals as (
    select
        invoice_date, country_name as series_name, count(*) as num_invoice_lines,
        count(distinct invoice_id) as num_invoices, count(distinct stream_id) as num_stream_ids,
        coalesce(sum(times_viewed), 0) as num_views, sum(price) as revenue,
        sum(num_landed_copies) as num_rows_landed, max(load_id) as newest_load_id
    from lines group by invoice_date, country_name
    union all
    select
        invoice_date, 'All', count(*), count(distinct invoice_id), count(distinct stream_id),
        coalesce(sum(times_viewed), 0), sum(price), sum(num_landed_copies), max(load_id)
    from lines group by invoice_date
),
expected as (
    select
        days.revenue_date, series.series_name, series.is_all_countries,
        coalesce(totals.num_invoice_lines, 0) as num_invoice_lines,
        coalesce(totals.num_invoices, 0) as num_invoices,
        coalesce(totals.num_stream_ids, 0) as num_stream_ids,
        cast(coalesce(totals.num_views, 0) as bigint) as num_views,
        cast(coalesce(totals.revenue, 0) as decimal(18, 2)) as revenue,
        cast(coalesce(totals.num_rows_landed, 0) as bigint) as num_rows_landed,
        totals.newest_load_id
    from days cross join series
    left join totals
        on totals.invoice_date = days.revenue_date and totals.series_name = series.series_name
)
select {GRID_COLUMNS} from expected
"""

EXPECTED_INVOICES = """
select
    invoice_id, invoice_code, invoice_type, invoice_date,
    cast(date_trunc('month', invoice_date) as date) as invoice_month, customer_id, country_name,
    count(*) as num_invoice_lines, count(*) filter (where is_product) as num_product_invoice_lines,
    cast(coalesce(sum(times_viewed), 0) as bigint) as num_views,
    cast(sum(price) as decimal(18, 2)) as revenue,
    cast(sum(num_landed_copies) as bigint) as num_landed_copies, max(load_id) as load_id
from marts.fct_invoice_lines
group by all
"""


def _key(record: dict, *names: str) -> str:
    return next(key for key in record if key.lower() in names)


def _day(record: dict) -> int:
    return int(record[_key(record, "day")])


class Sources:
    """The landed folder: generated month files copied in, changed or broken."""

    def __init__(self, generated: Path, folder: Path) -> None:
        self.generated = generated
        self.folder = folder
        self.months = sorted((generated / "invoices").glob("*.json"))
        shutil.copytree(generated, folder, ignore=shutil.ignore_patterns("invoices-*.json"))

    def path(self, index: int) -> Path:
        return self.folder / self.months[index].relative_to(self.generated)

    def records(self, index: int) -> list[dict]:
        return json.loads(self.months[index].read_text())

    def write(self, index: int, records: list[dict]) -> None:
        self.path(index).write_text(json.dumps(records))

    def land(self, index: int) -> None:
        shutil.copy(self.months[index], self.path(index))

    def reject_every_row(self, index: int) -> None:
        """Re-land the month with no invoice number on any row: the loader rejects
        every row (the load exits 1) and the month vanishes from raw."""
        records = self.records(index)
        for record in records:
            del record[_key(record, "invoice")]
        self.write(index, records)


def _grid(warehouse) -> list[tuple]:
    return warehouse.query(f"select {GRID_COLUMNS} from {GRID} order by revenue_date, series_name")


def _check_against_lines(warehouse) -> None:
    """The incremental tables equal their recomputation from the staged lines, cell by cell."""
    expected_grid = warehouse.query(EXPECTED_GRID + " order by revenue_date, series_name")
    assert _grid(warehouse) == expected_grid
    assert warehouse.query(f"select {DAILY_COLUMNS} from marts.fct_daily_revenue order by 1") == [
        (row[0], *row[3:8]) for row in expected_grid if row[2]
    ]
    assert warehouse.query(
        f"select revenue_date, country_name, {DAILY_COLUMNS.split(', ', 1)[1]}"
        " from marts.fct_daily_revenue_by_country order by 1, 2"
    ) == [(row[0], row[1], *row[3:8]) for row in expected_grid if not row[2]]
    assert warehouse.query(
        f"select {INVOICE_COLUMNS} from marts.fct_invoices order by all"
    ) == warehouse.query(EXPECTED_INVOICES + " order by all")


def _reaggregated_months(warehouse) -> set[str] | None:
    """The months the grid's build read from staging (the literal months of its
    compiled SQL; none when its filter is `false`), or None when it read every
    month (a full build)."""
    [node] = [
        r for r in warehouse.run_results["results"]
        if r["unique_id"] == "model.aavail.int_invoice_lines_aggregated_to_days"
    ]  # fmt: skip
    code = node["compiled_code"]
    match = re.search(r"where invoice_month in \(([^)]*)\)", code)
    if match is None:
        return set() if re.search(r"^\s*where false\s*$", code, re.MULTILINE) else None
    return set(re.findall(r"date '([0-9-]+)'", match.group(1)))


def _incremental_tables(warehouse) -> dict[str, list[tuple]]:
    """Every row of the incremental tables and of the ml tables that read the grid."""
    tables = (GRID, "marts.fct_invoices", "marts.fct_daily_revenue",
              "marts.fct_daily_revenue_by_country",
              "ml.revenue_features", "ml.revenue_anomalies")  # fmt: skip
    return {table: warehouse.query(f"select * from {table} order by all") for table in tables}


def _bounds(warehouse) -> tuple:
    [bounds] = warehouse.query(f"select min(revenue_date), max(revenue_date) from {GRID}")
    return tuple(str(day) for day in bounds)


def _series(warehouse) -> set[str]:
    return {name for (name,) in warehouse.query(f"select distinct series_name from {GRID}")}


def _build(warehouse, *args: str) -> None:
    warehouse.dbt(
        "build", "--select", "stg_billing__invoice_lines+", "--exclude", "resource_type:unit_test",
        *args,
    )  # fmt: skip
    _check_against_lines(warehouse)


def _load(warehouse, sources: Sources, *, rejects: bool = False) -> None:
    if not rejects:
        warehouse.load(sources.folder)
        return
    result = warehouse.cli("load", "--source-dir", str(sources.folder), "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr


def test_grid_and_invoices_follow_every_kind_of_change(dbt_warehouse_factory, tmp_path):
    generated = tmp_path / "generated"
    generate_sources(generated)
    sources = Sources(generated, tmp_path / "sources")
    months = [month_of(file) for file in sources.months]
    warehouse = dbt_warehouse_factory("incremental_grid")

    # First build: months 0..21, month 21 without its last five days.
    for index in range(21):
        sources.land(index)
    records = sources.records(21)
    cut_day = max(_day(record) for record in records) - 5
    sources.write(21, [record for record in records if _day(record) <= cut_day])
    _load(warehouse, sources)
    # every node, unit tests included (the grid's incremental one runs before the grid exists)
    warehouse.dbt("build")
    _check_against_lines(warehouse)
    assert _reaggregated_months(warehouse) is None
    first_day, last_day = _bounds(warehouse)
    assert last_day == f"{months[21][:8]}{cut_day:02d}"

    # A new month after a gap: month 23 lands, month 22 stays empty. The rest of
    # month 21 and all of month 22 become zero days; only month 23 is re-aggregated.
    sources.land(23)
    _load(warehouse, sources)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[23]}
    assert _bounds(warehouse)[1] > months[23] and _bounds(warehouse)[0] == first_day
    [(gap_lines,)] = warehouse.query(
        f"select sum(num_invoice_lines) from {GRID}"
        f" where revenue_date >= date '{last_day}' + 1 and revenue_date < '{months[23]}'"
    )
    assert gap_lines == 0

    # Two loads between two builds: the gap month, then a newer month.
    sources.land(22)
    _load(warehouse, sources)
    sources.land(24)
    _load(warehouse, sources)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[22], months[24]}

    # Re-landed months: month 9 with changed content (five lines fewer, one
    # price changed), month 21 whole again (its last days get their lines).
    records = sources.records(9)[5:]
    price = _key(records[0], "price", "total_price")
    records[0][price] = round(records[0][price] + 1000.01, 2)
    sources.write(9, records)
    sources.land(21)
    _load(warehouse, sources)
    before_relanding = _grid(warehouse)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[9], months[21]}

    # Shrunk: the last month keeps its first ten days (the range ends earlier
    # inside it), month 4 keeps half of its lines.
    sources.write(24, [record for record in sources.records(24) if _day(record) <= 10])
    sources.write(4, sources.records(4)[::2])
    _load(warehouse, sources)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[4], months[24]}
    assert _bounds(warehouse)[1] <= f"{months[24][:8]}10"

    # A new country: one invoice of month 14 is re-landed as billed in Atlantis.
    # Its series gets every day of the range, zeros but on that invoice's day.
    records = sources.records(14)
    invoice = _key(records[0], "invoice")
    country = _key(records[0], "country")
    for record in records:
        if record[invoice] == records[0][invoice]:
            record[country] = "Atlantis"
    sources.write(14, records)
    _load(warehouse, sources)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[14]}
    assert "Atlantis" in _series(warehouse)

    # Vanished in the middle: month 11's re-landing is rejected row by row.
    sources.reject_every_row(11)
    _load(warehouse, sources, rejects=True)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[11]}
    [(vanished_lines, vanished_days)] = warehouse.query(
        f"select sum(num_invoice_lines), count(distinct revenue_date) from {GRID}"
        f" where date_trunc('month', revenue_date) = '{months[11]}'"
    )
    assert vanished_lines == 0 and vanished_days >= 28

    # The country disappears (month 14 back as generated), and the months at
    # both ends vanish: the range starts in month 1 and ends in month 23.
    sources.land(14)
    sources.reject_every_row(0)
    sources.reject_every_row(24)
    _load(warehouse, sources, rejects=True)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[0], months[14], months[24]}
    assert "Atlantis" not in _series(warehouse)
    first_day, last_day = _bounds(warehouse)
    assert months[1] <= first_day < months[2] and months[23] < last_day < months[24]

    # Nothing new: no month is re-aggregated and the grid stays as it was.
    grid_before = _grid(warehouse)
    _load(warehouse, sources)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == set()
    assert _grid(warehouse) == grid_before

    # A grid built before it kept its fingerprint (no num_rows_landed column):
    # the build re-aggregates every month, and the columns come back.
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute(f"alter table {GRID} drop column num_rows_landed")
        con.execute(f"alter table {GRID} drop column newest_load_id")
    _build(warehouse)
    assert _reaggregated_months(warehouse) is None
    assert _grid(warehouse) == grid_before

    # A grid month left stale, as a build that missed month 9's change would
    # leave it (the month's rows and fingerprint from before its re-landing):
    # the build's own test fails, and the next build re-aggregates the month.
    stale = [row for row in before_relanding if str(row[0]).startswith(months[9][:7])]
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute(f"delete from {GRID} where date_trunc('month', revenue_date) = ?", [months[9]])
        placeholders = ", ".join("?" * len(stale[0]))
        con.executemany(f"insert into {GRID} ({GRID_COLUMNS}) values ({placeholders})", stale)
    warehouse.dbt("test", "--select", "int_invoice_lines_aggregated_to_days", check=False)
    assert STALE_TEST in failed_nodes(warehouse)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[9]}

    # A grid month wrong under a current fingerprint (no rebuild rule can see
    # it): the test fails too; a --full-refresh repairs it.
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute(
            f"update {GRID} set revenue = revenue + 1"
            " where is_all_countries and num_invoice_lines > 0"
            " and date_trunc('month', revenue_date) = ?",
            [months[3]],
        )
    warehouse.dbt("test", "--select", "int_invoice_lines_aggregated_to_days", check=False)
    assert STALE_TEST in failed_nodes(warehouse)
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute(
            f"update {GRID} set revenue = revenue - 1"
            " where is_all_countries and num_invoice_lines > 0"
            " and date_trunc('month', revenue_date) = ?",
            [months[3]],
        )

    # The incremental state equals a --full-refresh build, ml tables included ...
    incremental = _incremental_tables(warehouse)
    # (fct_invoices built before it kept its fingerprint: a one-line error asks
    # for the full refresh)
    with duckdb.connect(str(warehouse.path)) as con:
        con.execute("alter table marts.fct_invoices drop column load_id")
    result = warehouse.dbt("run", "--select", "fct_invoices", check=False)
    assert result.returncode == 1
    assert "was built before it kept its months' fingerprint" in result.stdout
    _build(warehouse, "--full-refresh")
    assert _reaggregated_months(warehouse) is None
    assert _incremental_tables(warehouse) == incremental

    # ... and a new month after the full refresh is incremental again.
    sources.land(25)
    _load(warehouse, sources)
    _build(warehouse)
    assert _reaggregated_months(warehouse) == {months[25]}
