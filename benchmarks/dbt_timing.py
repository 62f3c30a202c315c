"""Read dbt's own timings from `run_results.json` (and `manifest.json` for file paths).

dbt's overhead is the wall time of a `dbt build` minus the time its nodes spent
executing. The issue defines it with the *sum* of node execution times; with
two threads nodes overlap, so that sum can exceed the wall time. We therefore
report both the sum and the *busy time* (the union of the nodes' running
intervals, i.e. time during which at least one node was running); overhead is
wall minus busy time, which is never negative.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class NodeTiming:
    """One node of a dbt invocation."""

    unique_id: str
    resource_type: str
    status: str
    execution_s: float
    started_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True)
class RunTimings:
    """All nodes of one dbt invocation."""

    nodes: tuple[NodeTiming, ...]

    @property
    def execution_sum_s(self) -> float:
        return sum(node.execution_s for node in self.nodes)

    @property
    def busy_s(self) -> float:
        """Length of the union of the nodes' [start, end] intervals."""
        spans = sorted(
            (node.started_at, node.completed_at)
            for node in self.nodes
            if node.started_at is not None and node.completed_at is not None
        )
        total = 0.0
        current_start: datetime | None = None
        current_end: datetime | None = None
        for start, end in spans:
            if current_end is None or start > current_end:
                if current_start is not None and current_end is not None:
                    total += (current_end - current_start).total_seconds()
                current_start, current_end = start, end
            elif end > current_end:
                current_end = end
        if current_start is not None and current_end is not None:
            total += (current_end - current_start).total_seconds()
        return total

    def sum_for(self, unique_ids: set[str]) -> float:
        return sum(node.execution_s for node in self.nodes if node.unique_id in unique_ids)

    def slowest(self, count: int = 5) -> list[tuple[str, float]]:
        ranked = sorted(self.nodes, key=lambda node: node.execution_s, reverse=True)
        return [(node.unique_id, round(node.execution_s, 3)) for node in ranked[:count]]


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_run_results(target_dir: Path) -> RunTimings:
    """The node timings of the last dbt invocation that wrote `target_dir/run_results.json`."""
    data = json.loads((target_dir / "run_results.json").read_text())
    nodes = []
    for result in data["results"]:
        timing = result.get("timing") or []
        starts = [_parse_time(step.get("started_at")) for step in timing]
        ends = [_parse_time(step.get("completed_at")) for step in timing]
        known_starts = [value for value in starts if value is not None]
        known_ends = [value for value in ends if value is not None]
        unique_id = result["unique_id"]
        nodes.append(
            NodeTiming(
                unique_id=unique_id,
                resource_type=unique_id.split(".", 1)[0],
                status=str(result.get("status")),
                execution_s=float(result.get("execution_time") or 0.0),
                started_at=min(known_starts) if known_starts else None,
                completed_at=max(known_ends) if known_ends else None,
            )
        )
    return RunTimings(nodes=tuple(nodes))


def nodes_under(target_dir: Path, path_prefix: str) -> set[str]:
    """unique_ids of the manifest's models whose file lies under `path_prefix` (e.g. models/ml)."""
    manifest = json.loads((target_dir / "manifest.json").read_text())
    prefix = path_prefix.rstrip("/") + "/"
    return {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node.get("resource_type") == "model"
        and str(node.get("original_file_path", "")).startswith(prefix)
    }
