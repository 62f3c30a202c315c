"""The committed performance tables are what report.py renders from the committed results.

Every performance figure the project quotes lives in generated sections (between
`<!-- generated:NAME ... -->` markers) of benchmarks/README.md and README.md. A
hand edit of a figure, or results committed without re-rendering, fails here;
the fix is `python -m benchmarks.run --report-only`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import report


@pytest.fixture(scope="module")
def rendered(project_dir: Path) -> dict[str, dict[str, str]]:
    results_dir = project_dir / "benchmarks" / "results"
    payload = json.loads((results_dir / "results.json").read_text())
    medians = report.medians_by_size(payload["runs"])
    baseline = report.read_baseline(results_dir)
    return {
        "benchmarks/README.md": report.benchmark_sections(payload, medians, baseline),
        "README.md": report.project_sections(medians, baseline),
    }


@pytest.mark.parametrize("document", ["benchmarks/README.md", "README.md"])
def test_committed_sections_are_the_rendered_ones(
    project_dir: Path, rendered: dict[str, dict[str, str]], document: str
) -> None:
    committed = report.committed_sections((project_dir / document).read_text())
    expected = rendered[document]
    assert sorted(committed) == sorted(expected), "a generated section is missing or extra"
    stale = [name for name in expected if committed[name] != expected[name]]
    assert stale == [], (
        f"{document}: sections {stale} differ from the committed results; "
        "run `python -m benchmarks.run --report-only`"
    )


def test_rendering_replaces_only_the_marked_sections() -> None:
    section = report.marker_start("speed") + "\nnew\n" + report.marker_end("speed")
    text = (
        "# Title\n\nkept before\n\n"
        + report.marker_start("speed")
        + "\nold 38.3 s\n"
        + report.marker_end("speed")
        + "\n\nkept after\n"
    )
    out = report.render_into(text, {"speed": section, "engines": "E"})
    assert out.startswith("# Title\n\nkept before\n\n" + section + "\n\nkept after\n")
    assert "38.3" not in out
    assert out.rstrip().endswith("E")  # a section without markers is appended
    assert report.committed_sections(out) == {"speed": section}


def _medians(**figures: float) -> dict[str, float]:
    values = dict(figures)
    values.update(report.ratios(values))
    return values


def _verdict(
    medians: report.Medians, goal: str, size: int, baseline: dict[str, float]
) -> bool | None:
    found = [v for v in report.verdicts(medians, baseline) if v.goal == goal and v.size == size]
    assert len(found) == 1
    return found[0].met


def test_goals_are_judged_at_their_thresholds() -> None:
    at_2m_met = _medians(
        pipeline_fct_s=3.0, floor_s=1.0, pandas_s=3.1, pandas_mib=500, pipeline_fct_mib=499,
        load_s=1.0, read_json_s=0.9, nothing_new_s=5.0, load_nothing_new_s=2.0,
        dbt_build_nothing_new_s=3.0,
    )  # fmt: skip
    at_10m_missed = _medians(
        pipeline_fct_s=20.1, floor_s=10.0, pandas_s=30.0, pandas_mib=500, pipeline_fct_mib=500,
        load_s=10.0, read_json_s=8.9, nothing_new_s=5.01, load_nothing_new_s=2.0,
        dbt_build_nothing_new_s=3.01,
        incremental_s=2.0, pipeline_s=10.0, dbt_build_s=20.1, dbt_build_mib=1000,
    )  # fmt: skip
    medians = {2_000_000: at_2m_met, 10_000_000: at_10m_missed}
    baseline = {"dbt_build_s": 40.0}
    assert _verdict(medians, "1", 2_000_000, baseline) is True  # exactly 3x
    assert _verdict(medians, "1", 10_000_000, baseline) is False  # above 2x
    assert _verdict(medians, "2", 2_000_000, baseline) is True
    assert _verdict(medians, "2", 10_000_000, baseline) is False  # same memory is not less
    assert _verdict(medians, "3", 2_000_000, baseline) is True  # exactly 90%
    assert _verdict(medians, "3", 10_000_000, baseline) is False  # 89%
    assert _verdict(medians, "4", 10_000_000, baseline) is True  # 20% and 0.2x the floor
    assert _verdict(medians, "5", 2_000_000, baseline) is True  # exactly 5 s
    assert _verdict(medians, "5", 10_000_000, baseline) is False
    assert _verdict(medians, "6", 10_000_000, baseline) is False  # 20.1 s > half of 40 s


def test_a_size_not_measured_is_never_met() -> None:
    medians = {100_000: _medians(pipeline_fct_s=1.0, floor_s=1.0, dbt_build_s=1.0)}
    found = report.verdicts(medians, {"dbt_build_s": 40.0})
    assert {v.goal for v in found} == set(report.GOALS)
    assert all(v.met is None for v in found)
    assert "not measured" in "\n".join(report.goal_summary(medians, {}))
