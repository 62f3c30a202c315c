"""dbt overhead arithmetic from run_results.json: sum of node times, busy time, ml nodes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.dbt_timing import nodes_under, read_run_results


def _node(unique_id: str, seconds: float, start: str, end: str) -> dict[str, object]:
    return {
        "unique_id": unique_id,
        "status": "success",
        "execution_time": seconds,
        "timing": [
            {"name": "compile", "started_at": start, "completed_at": start},
            {"name": "execute", "started_at": start, "completed_at": end},
        ],
    }


@pytest.fixture
def target(tmp_path: Path) -> Path:
    results = [
        # two threads: a and b overlap for 1 s, then a gap, then c
        _node("model.aavail.a", 2.0, "2026-01-01T00:00:00Z", "2026-01-01T00:00:02Z"),
        _node("model.aavail.b", 2.0, "2026-01-01T00:00:01Z", "2026-01-01T00:00:03Z"),
        _node("test.aavail.c", 1.5, "2026-01-01T00:00:05Z", "2026-01-01T00:00:06.5Z"),
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    manifest = {
        "nodes": {
            "model.aavail.a": {"resource_type": "model", "original_file_path": "models/ml/a.py"},
            "model.aavail.b": {
                "resource_type": "model",
                "original_file_path": "models/marts/b.sql",
            },
            "test.aavail.c": {"resource_type": "test", "original_file_path": "models/ml/x.yml"},
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path


def test_sum_and_busy_time_differ_when_nodes_overlap(target: Path) -> None:
    timings = read_run_results(target)
    assert timings.execution_sum_s == pytest.approx(5.5)
    assert timings.busy_s == pytest.approx(3.0 + 1.5)
    assert timings.slowest(1) == [("model.aavail.a", 2.0)]


def test_ml_models_are_the_models_under_models_ml(target: Path) -> None:
    ml = nodes_under(target, "models/ml")
    assert ml == {"model.aavail.a"}
    assert read_run_results(target).sum_for(ml) == pytest.approx(2.0)
