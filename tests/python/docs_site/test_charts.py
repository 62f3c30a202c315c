"""The charts module: deterministic files from the published warehouse, wired into run and docs."""

from __future__ import annotations

import shutil

import duckdb
import yaml

from python_loaders.cli import main
from python_loaders.job.pipeline import main_job_steps
from python_loaders.publishing.charts import (
    CHARTS,
    CHARTS_DIR,
    REPORT_PAGE,
    default_charts_dir,
    render_charts,
)


def test_the_same_published_data_gives_byte_identical_files(docs_site, tmp_path):
    again = render_charts(docs_site.analytics, tmp_path / "again")
    assert sorted(path.name for path in again) == sorted([*CHARTS, REPORT_PAGE])
    for path in again:
        assert path.read_bytes() == (docs_site.charts / path.name).read_bytes(), path.name
        assert path.stat().st_size > 1000, path.name
    assert b"Software" not in (tmp_path / "again" / next(iter(CHARTS))).read_bytes()


def test_other_data_gives_other_charts_and_figures(docs_site, tmp_path):
    changed = tmp_path / "changed.duckdb"
    shutil.copy(docs_site.analytics, changed)
    with duckdb.connect(str(changed)) as con:
        con.execute("update marts.dim_customers set is_subscriber = not is_subscriber")
    render_charts(changed, tmp_path / "out")
    for name in ("churn_rate_by_plan.png", "subscribers_over_time.png", REPORT_PAGE):
        assert (tmp_path / "out" / name).read_bytes() != (docs_site.charts / name).read_bytes()
    same = "monthly_revenue_by_country.png"  # revenue did not change
    assert (tmp_path / "out" / same).read_bytes() == (docs_site.charts / same).read_bytes()


def test_a_missing_or_wrong_published_file_is_one_line_and_nothing_written(tmp_path, capsys):
    not_a_warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(not_a_warehouse)).close()  # a DuckDB file without the marts
    for analytics, problem in ((tmp_path / "missing.duckdb", "no published warehouse"),
                               (not_a_warehouse, "cannot read the published tables")):  # fmt: skip
        out = tmp_path / f"out-{analytics.stem}"
        code = main(["charts", "--analytics", str(analytics), "--out", str(out)])
        error = capsys.readouterr().err
        assert code == 2, error
        assert error.count("\n") == 1 and "Traceback" not in error
        assert error.startswith("error: ") and str(analytics) in error and problem in error
        assert not out.exists()


def test_run_draws_the_charts_after_publish_and_before_the_docs(project_dir):
    names = [step.name for step in main_job_steps()]
    assert names.index("publish") < names.index("charts") < names.index("dbt docs generate")
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    assert CHARTS_DIR.parts[0] in project["asset-paths"]  # dbt copies them into the site
    overview = (project_dir / "docs" / "overview.md").read_text()
    for name in [*CHARTS, REPORT_PAGE]:
        assert f"({CHARTS_DIR.as_posix()}/{name})" in overview, name
    ignored = (project_dir / ".gitignore").read_text().split()
    assert f"{CHARTS_DIR.as_posix()}/" in ignored


def test_charts_go_to_the_project_assets_unless_aavail_charts_dir_says_otherwise(
    monkeypatch, tmp_path, project_dir
):
    monkeypatch.delenv("AAVAIL_CHARTS_DIR", raising=False)
    assert default_charts_dir(project_dir) == project_dir / "assets" / "charts"
    monkeypatch.setenv("AAVAIL_CHARTS_DIR", str(tmp_path / "elsewhere"))
    assert default_charts_dir(project_dir) == tmp_path / "elsewhere"
