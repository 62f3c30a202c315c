"""The two alternatives on the real reference files: known facts, and each other."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from benchmarks.agreement import check_agreement, table_totals
from benchmarks.alternatives.floor import run_floor
from benchmarks.alternatives.pandas_pipeline import daily_revenue_by_country, read_country_map
from benchmarks.alternatives.read_json_ceiling import land_with_read_json

# Facts of the reference README: distinct lines per file after dropping exact duplicates.
DISTINCT_LINES = {"invoices-2017-11.json": 9_408, "invoices-2019-12.json": 19_530}
# Revenue of the distinct lines of both files (41,152.75 + 113,233.16 with the duplicates;
# computed once by hand with a plain DuckDB query over the two files).
DISTINCT_REVENUE = 153_649.42


@pytest.fixture
def country_map(project_dir: Path) -> Path:
    return project_dir / "seeds" / "country_spellings.csv"


def _one_file_dir(reference_dir: Path, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name / "invoices"
    folder.mkdir(parents=True)
    shutil.copy(reference_dir / "invoices" / name, folder / name)
    return folder


@pytest.mark.parametrize("name", sorted(DISTINCT_LINES))
def test_both_alternatives_keep_the_distinct_lines_of_each_file(
    reference_dir: Path, tmp_path: Path, country_map: Path, name: str
) -> None:
    invoice_dir = _one_file_dir(reference_dir, tmp_path, name)
    floor_out = tmp_path / "floor.parquet"
    run_floor(invoice_dir, country_map, floor_out)
    pandas_table = daily_revenue_by_country(invoice_dir, read_country_map(country_map))

    assert table_totals(floor_out).invoice_lines == DISTINCT_LINES[name]
    assert int(pandas_table["invoice_lines"].sum()) == DISTINCT_LINES[name]


def test_alternatives_agree_on_both_files_and_map_country_spellings(
    reference_dir: Path, tmp_path: Path, country_map: Path
) -> None:
    invoice_dir = reference_dir / "invoices"
    floor_out, pandas_out = tmp_path / "floor.parquet", tmp_path / "pandas.parquet"
    run_floor(invoice_dir, country_map, floor_out)
    daily_revenue_by_country(invoice_dir, read_country_map(country_map)).to_parquet(pandas_out)

    totals = check_agreement({"floor": floor_out, "pandas": pandas_out})

    assert round(totals["floor"].revenue, 2) == DISTINCT_REVENUE
    assert totals["floor"].invoice_lines == sum(DISTINCT_LINES.values())
    countries = {
        row[0] for row in duckdb.sql(f"select distinct country from '{floor_out}'").fetchall()
    }
    assert {"Ireland", "United States"} <= countries
    assert not {"EIRE", "USA"} & countries


def test_read_json_ceiling_lands_every_record(reference_dir: Path, tmp_path: Path) -> None:
    rows = land_with_read_json(reference_dir / "invoices", tmp_path / "ceiling.duckdb")
    assert rows == 9_502 + 19_744
