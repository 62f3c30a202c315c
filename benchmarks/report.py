"""Turn the runs into medians, a JSON/CSV results file, a plot and the generated tables.

Every performance figure the project quotes is rendered here from
`results/results.json` (and `results/baseline.json`, the figures the goals were
set against) into sections between markers:

- benchmarks/README.md: `results` (every figure, every size), `goals` (the six
  goals of issue 11, met or missed, with the figure), `profiles` (the slowest
  nodes of each dbt build at the largest size), `engines` (DuckDB beside Spark);
- README.md: `speed` (the headline figures and the goals) and `engines`.

`python -m benchmarks.run --report-only` rewrites them all without measuring;
tests/python/benchmarks/test_bench_report.py checks the committed sections are
what this module renders from the committed results.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Medians = dict[int, dict[str, float]]
Format = Callable[[float], str]

GENERATOR = "python -m benchmarks.run --report-only"
TWO_M, TEN_M = 2_000_000, 10_000_000
MIB = 1024 * 1024
GOAL_6_MEMORY_MIB = 1.5e9 / MIB  # 1.5 GB (decimal): 1,431 MiB


def marker_start(name: str) -> str:
    return f"<!-- generated:{name} start (rendered from benchmarks/results by {GENERATOR}) -->"


def marker_end(name: str) -> str:
    return f"<!-- generated:{name} end -->"


# -- medians and ratios ------------------------------------------------------------------


def medians_by_size(runs: Sequence[Mapping[str, Any]]) -> Medians:
    """Median of every figure over the runs of each size (runs lacking a figure don't count)."""
    by_size: dict[int, list[Mapping[str, float]]] = {}
    for run in runs:
        by_size.setdefault(int(run["invoice_lines"]), []).append(run["figures"])
    medians: Medians = {}
    for size, figure_sets in sorted(by_size.items()):
        names = sorted(set().union(*figure_sets))
        medians[size] = {
            name: statistics.median(f[name] for f in figure_sets if name in f) for name in names
        }
        medians[size]["runs"] = len(figure_sets)
        medians[size]["spark_runs"] = sum("spark_build_fct_s" in f for f in figure_sets)
        medians[size]["job_runs"] = sum("job_nothing_new_s" in f for f in figure_sets)
        medians[size].update(ratios(medians[size]))
    return medians


# ratio name -> (numerator, denominator), both medians of one size
RATIOS: dict[str, tuple[str, str]] = {
    "ratio_pipeline_vs_floor": ("pipeline_s", "floor_s"),
    "ratio_pipeline_fct_vs_floor": ("pipeline_fct_s", "floor_s"),
    "ratio_pandas_vs_pipeline": ("pandas_s", "pipeline_s"),
    "ratio_pandas_vs_pipeline_fct": ("pandas_s", "pipeline_fct_s"),
    "ratio_pandas_mem_vs_pipeline_mem": ("pandas_mib", "pipeline_mib"),
    "ratio_pandas_mem_vs_pipeline_fct_mem": ("pandas_mib", "pipeline_fct_mib"),
    "ratio_incremental_vs_full_build": (
        "dbt_build_incremental_s",
        "dbt_build_before_last_month_s",
    ),
    "ratio_incremental_vs_full_with_load": ("incremental_s", "incremental_before_s"),
    "ratio_incremental_vs_pipeline": ("incremental_s", "pipeline_s"),
    "ratio_incremental_vs_floor": ("incremental_s", "floor_s"),
    "ratio_loader_speed_vs_read_json": ("read_json_s", "load_s"),
    "ratio_spark_vs_duckdb_fct_build": ("spark_build_fct_s", "dbt_build_fct_s"),
    "ratio_spark_pipeline_vs_floor": ("spark_pipeline_fct_s", "floor_s"),
}


def ratios(m: Mapping[str, float]) -> dict[str, float]:
    """The ratios the issue asks for, from one size's medians (ratios of medians)."""
    out: dict[str, float] = {}
    for name, (numerator, denominator) in RATIOS.items():
        if numerator in m and denominator in m:
            out[name] = m[numerator] / m[denominator] if m[denominator] else math.nan
    if "spark_pipeline_fct_s" in m and "load_s" in m:
        out["spark_end_to_end_fct_s"] = m["load_s"] + m["spark_pipeline_fct_s"]
    return out


def read_baseline(results_dir: Path) -> dict[str, float]:
    """The 10M-line medians the goals were set against (results/baseline.json), or {}."""
    path = results_dir / "baseline.json"
    if not path.exists():
        return {}
    return {k: float(v) for k, v in json.loads(path.read_text())["medians"].items()}


# -- formatting ------------------------------------------------------------------------


def size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M lines"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k lines"
    return f"{size:,} lines"


def _seconds(value: float) -> str:
    return f"{value:,.1f} s" if value >= 10 else f"{value:,.2f} s"


def _mib(value: float) -> str:
    return f"{value:,.0f} MiB"


def _gb(value: float) -> str:
    """MiB as decimal GB (10^9 bytes), one decimal."""
    return f"{value * MIB / 1e9:.1f} GB"


def _times(value: float) -> str:
    return f"{value:.2f}x"


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def _load(value: float) -> str:
    return f"{value:.2f}"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _cell(m: Mapping[str, float], key: str, fmt: Format) -> str:
    return fmt(m[key]) if key in m and not math.isnan(m[key]) else "n/a"


# -- the full table ----------------------------------------------------------------------

ROWS: tuple[tuple[str, str, Format], ...] = (
    ("runs (median of)", "runs", _count),
    ("machine load average at the start of a run (2 cores)", "load_average_at_start", _load),
    ("**1. generate**", "generate_s", _seconds),
    ("generate peak memory", "generate_mib", _mib),
    ("**2. load** (all sources)", "load_s", _seconds),
    ("load peak memory", "load_mib", _mib),
    ("DuckDB bare `read_json` of the invoice files", "read_json_s", _seconds),
    ("`read_json` peak memory", "read_json_mib", _mib),
    (
        "loader speed ÷ `read_json` speed (goal 3: ≥ 90%)",
        "ratio_loader_speed_vs_read_json",
        _percent,
    ),
    ("**3. full `dbt build`** (models, seeds, snapshots, tests)", "dbt_build_s", _seconds),
    ("`dbt build` peak memory (goal 6 at 10M: ≤ 1.5 GB = 1,431 MiB)", "dbt_build_mib", _mib),
    ("`publish` of that build (runs that time the job)", "publish_s", _seconds),
    ("`publish` peak memory", "publish_mib", _mib),
    ("`ml` models inside the build (sum of their execution)", "dbt_build_ml_models_s", _seconds),
    (
        "`ml` revenue_features in pandas, as in the model (best of 3, `ml_features.timing`)",
        "ml_features_pandas_s",
        _seconds,
    ),
    ("`ml` revenue_features as SQL window functions (same rows)", "ml_features_sql_s", _seconds),
    ("`ml` revenue_anomalies (numpy)", "ml_anomalies_s", _seconds),
    (
        "**4. a new month**: full build on all months but the last",
        "dbt_build_before_last_month_s",
        _seconds,
    ),
    ("land the last month (`load`)", "load_last_month_s", _seconds),
    ("`dbt build` after it (every test)", "dbt_build_incremental_s", _seconds),
    ("new month: land + `dbt build`", "incremental_s", _seconds),
    ("new month peak memory", "incremental_mib", _mib),
    (
        "new month ÷ (load + full build) (goal 4 at 10M: ≤ 20%)",
        "ratio_incremental_vs_pipeline",
        _percent,
    ),
    ("new month ÷ floor query (goal 4 at 10M: < 1)", "ratio_incremental_vs_floor", _times),
    (
        "the main job `python -m python_loaders run` with a new month"
        " (land, freshness, build, publish, charts, docs)",
        "job_new_month_s",
        _seconds,
    ),
    (
        "`dbt build` after it ÷ the full build before it",
        "ratio_incremental_vs_full_build",
        _percent,
    ),
    ("**5. nothing new**: `load` (every file already landed)", "load_nothing_new_s", _seconds),
    ("`dbt build` after it", "dbt_build_nothing_new_s", _seconds),
    ("nothing new: `load` + `dbt build` (goal 5: ≤ 5 s)", "nothing_new_s", _seconds),
    ("the main job `python -m python_loaders run` with nothing new", "job_nothing_new_s", _seconds),
    ("**6. end to end: pipeline** (load + full `dbt build`)", "pipeline_s", _seconds),
    ("pipeline peak memory (max of its steps)", "pipeline_mib", _mib),
    (
        "pipeline, like-for-like (load + build `+fct_daily_revenue_by_country`, no tests)",
        "pipeline_fct_s",
        _seconds,
    ),
    ("like-for-like peak memory", "pipeline_fct_mib", _mib),
    ("pandas pipeline", "pandas_s", _seconds),
    ("pandas peak memory", "pandas_mib", _mib),
    ("floor: one DuckDB query", "floor_s", _seconds),
    ("floor peak memory", "floor_mib", _mib),
    ("pipeline ÷ floor", "ratio_pipeline_vs_floor", _times),
    (
        "like-for-like ÷ floor (goal 1: ≤ 3x at 2M, ≤ 2x at 10M)",
        "ratio_pipeline_fct_vs_floor",
        _times,
    ),
    ("pandas ÷ like-for-like (goal 2: > 1 from 1M)", "ratio_pandas_vs_pipeline_fct", _times),
    (
        "pandas memory ÷ like-for-like memory (goal 2: > 1 from 1M)",
        "ratio_pandas_mem_vs_pipeline_fct_mem",
        _times,
    ),
    ("pandas ÷ whole pipeline", "ratio_pandas_vs_pipeline", _times),
    ("pandas memory ÷ whole pipeline memory", "ratio_pandas_mem_vs_pipeline_mem", _times),
    ("**7. Spark local mode** (runs of)", "spark_runs", _count),
    ("`export-raw`: the raw tables as Parquet", "spark_export_s", _seconds),
    ("`dbt build` of the same lineage on Spark, no tests", "spark_build_fct_s", _seconds),
    ("Spark build peak memory (dbt + its JVM, sampled)", "spark_build_fct_tree_mib", _mib),
    ("Spark build ÷ DuckDB like-for-like build", "ratio_spark_vs_duckdb_fct_build", _times),
    ("agreed: rows of the daily table", "pipeline_rows", _count),
    ("agreed: invoice lines", "pipeline_lines", _count),
    ("agreed: revenue", "pipeline_revenue", _money),
    ("**8. dbt overhead**: `dbt parse` (no partial parse)", "dbt_parse_s", _seconds),
    ("full build: sum of node execution times", "dbt_build_exec_sum_s", _seconds),
    ("full build: busy time (union of node intervals, 2 threads)", "dbt_build_busy_s", _seconds),
    ("full build: wall - busy time (overhead)", "dbt_build_overhead_s", _seconds),
    (
        "nothing-new build: wall - busy time (overhead)",
        "dbt_build_nothing_new_overhead_s",
        _seconds,
    ),
)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def results_table(medians: Medians) -> str:
    """Markdown table: one row per figure, one column per size."""
    sizes = list(medians)
    rows = [[label, *(_cell(medians[s], key, fmt) for s in sizes)] for label, key, fmt in ROWS]
    return "\n".join(_table(["figure", *(size_label(s) for s in sizes)], rows))


# -- the goals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One goal at one size: the figure as text and met / missed / not measured."""

    goal: str
    size: int
    figure: str
    met: bool | None  # None: not measured

    @property
    def word(self) -> str:
        return "not measured" if self.met is None else ("met" if self.met else "**missed**")


GOALS: dict[str, str] = {
    "1": "Like-for-like end to end (load + build of the mart's lineage, no tests) "
    "within 3x the floor at 2M lines and 2x at 10M",
    "2": "Faster than the pandas pipeline at every size from 1M lines, with less peak memory",
    "3": "Loader at 90% or more of bare `read_json` throughput on the same files",
    "4": "A new month (land it, then the full `dbt build` with every test): at most 20% "
    "of load + full build at 10M, and less than the floor query from scratch",
    "5": "A run with nothing new to land: `load` + `dbt build` within 5 s",
    "6": "Full `dbt build` at 10M: at most half of the time when the goals were set, "
    "at most 1.5 GB peak memory",
}


def _has(m: Mapping[str, float] | None, *keys: str) -> bool:
    return m is not None and all(k in m and not math.isnan(m[k]) for k in keys)


def _goal_sizes(medians: Medians, sizes: Sequence[int]) -> list[int]:
    """The sizes a goal is judged at: those given, plus any larger measured size."""
    return [*sizes, *(s for s in medians if s > max(sizes) and s not in sizes)]


def verdicts(medians: Medians, baseline: Mapping[str, float]) -> list[Verdict]:
    """Each goal at each size it applies to, met, missed or not measured."""
    out: list[Verdict] = []
    for size, limit in ((TWO_M, 3.0), (TEN_M, 2.0)):
        m = medians.get(size)
        if not _has(m, "ratio_pipeline_fct_vs_floor"):
            out.append(Verdict("1", size, "", None))
            continue
        assert m is not None
        ratio = m["ratio_pipeline_fct_vs_floor"]
        out.append(
            Verdict(
                "1",
                size,
                f"{_times(ratio)} ({_seconds(m['pipeline_fct_s'])} vs {_seconds(m['floor_s'])}; "
                f"limit {limit:g}x)",
                ratio <= limit,
            )
        )
    from_1m = [s for s in medians if s >= 1_000_000] or [1_000_000]
    for size in from_1m:
        m = medians.get(size)
        if not _has(m, "ratio_pandas_vs_pipeline_fct", "ratio_pandas_mem_vs_pipeline_fct_mem"):
            out.append(Verdict("2", size, "", None))
            continue
        assert m is not None
        time_ratio, mem_ratio = (
            m["ratio_pandas_vs_pipeline_fct"],
            m["ratio_pandas_mem_vs_pipeline_fct_mem"],
        )
        out.append(
            Verdict(
                "2",
                size,
                f"pandas takes {_times(time_ratio)} the time ({_seconds(m['pandas_s'])} vs "
                f"{_seconds(m['pipeline_fct_s'])}) and {_times(mem_ratio)} the memory "
                f"({_mib(m['pandas_mib'])} vs {_mib(m['pipeline_fct_mib'])})",
                time_ratio > 1 and mem_ratio > 1,
            )
        )
    for size in _goal_sizes(medians, (TWO_M, TEN_M)):
        m = medians.get(size)
        if not _has(m, "ratio_loader_speed_vs_read_json"):
            out.append(Verdict("3", size, "", None))
            continue
        assert m is not None
        speed = m["ratio_loader_speed_vs_read_json"]
        out.append(
            Verdict(
                "3",
                size,
                f"{_percent(speed)} ({_seconds(m['load_s'])} vs {_seconds(m['read_json_s'])})",
                speed >= 0.9,
            )
        )
    m = medians.get(TEN_M)
    if _has(m, "ratio_incremental_vs_pipeline", "ratio_incremental_vs_floor"):
        assert m is not None
        share, vs_floor = m["ratio_incremental_vs_pipeline"], m["ratio_incremental_vs_floor"]
        out.append(
            Verdict(
                "4",
                TEN_M,
                f"{_seconds(m['incremental_s'])}: {_percent(share)} of load + full build "
                f"({_seconds(m['pipeline_s'])}), {_times(vs_floor)} the floor "
                f"({_seconds(m['floor_s'])})"
                + (
                    f"; the main job `run` with it (publish, charts, docs too): "
                    f"{_seconds(m['job_new_month_s'])}"
                    if _has(m, "job_new_month_s")
                    else ""
                ),
                share <= 0.2 and vs_floor < 1,
            )
        )
    else:
        out.append(Verdict("4", TEN_M, "", None))
    for size in _goal_sizes(medians, (TWO_M, TEN_M)):
        m = medians.get(size)
        if not _has(m, "nothing_new_s"):
            out.append(Verdict("5", size, "", None))
            continue
        assert m is not None
        job = (
            f"; the main job `run`: {_seconds(m['job_nothing_new_s'])}"
            if _has(m, "job_nothing_new_s")
            else ""
        )
        out.append(
            Verdict(
                "5",
                size,
                f"{_seconds(m['nothing_new_s'])} ({_seconds(m['load_nothing_new_s'])} + "
                f"{_seconds(m['dbt_build_nothing_new_s'])}){job}",
                m["nothing_new_s"] <= 5.0,
            )
        )
    m = medians.get(TEN_M)
    if _has(m, "dbt_build_s", "dbt_build_mib") and "dbt_build_s" in baseline:
        assert m is not None
        limit_s = baseline["dbt_build_s"] / 2
        out.append(
            Verdict(
                "6",
                TEN_M,
                f"{_seconds(m['dbt_build_s'])} (limit {_seconds(limit_s)}, half of "
                f"{_seconds(baseline['dbt_build_s'])}) at {_mib(m['dbt_build_mib'])} "
                f"(limit {_mib(GOAL_6_MEMORY_MIB)})",
                m["dbt_build_s"] <= limit_s and m["dbt_build_mib"] <= GOAL_6_MEMORY_MIB,
            )
        )
    else:
        out.append(Verdict("6", TEN_M, "", None))
    return out


def goals_table(medians: Medians, baseline: Mapping[str, float]) -> list[str]:
    rows = [
        [f"{v.goal}. {GOALS[v.goal]}" if first else "", size_label(v.size), v.figure, v.word]
        for v, first in _first_of_goal(verdicts(medians, baseline))
    ]
    return _table(["goal", "at", "measured", "verdict"], rows, right_from=4)


def _first_of_goal(items: list[Verdict]) -> list[tuple[Verdict, bool]]:
    seen: set[str] = set()
    out = []
    for v in items:
        out.append((v, v.goal not in seen))
        seen.add(v.goal)
    return out


def goal_summary(medians: Medians, baseline: Mapping[str, float]) -> list[str]:
    """One line per goal: met, missed or not measured, with its figures at each size."""
    by_goal: dict[str, list[Verdict]] = {}
    for v in verdicts(medians, baseline):
        by_goal.setdefault(v.goal, []).append(v)
    lines = []
    for goal, items in by_goal.items():
        measured = [v for v in items if v.met is not None]
        if not measured:
            word = "not measured"
        elif all(v.met for v in measured):
            word = "met" if len(measured) == len(items) else "met where measured"
        else:
            word = "**missed**"
        figures = "; ".join(f"at {size_label(v.size)} {v.figure}" for v in measured)
        detail = f" — {figures}" if figures else ""
        lines.append(f"- Goal {goal}, {GOALS[goal][0].lower()}{GOALS[goal][1:]}: {word}{detail}")
    return lines


# -- profiles, engines, the README's speed table -----------------------------------------

PROFILED_BUILDS = (
    ("dbt_build_fct", "like-for-like build (goal 1)"),
    ("dbt_build", "full build (goals 2, 6)"),
    ("dbt_build_incremental", "build after a new month (goal 4)"),
    ("dbt_build_nothing_new", "build with nothing new (goal 5)"),
)


def profile_lines(runs: Sequence[Mapping[str, Any]], medians: Medians) -> list[str]:
    """The slowest nodes of each dbt build in the first run at the largest size."""
    if not medians:
        return []
    largest = max(medians)
    first = next((r for r in runs if int(r["invoice_lines"]) == largest), None)
    nodes = (first or {}).get("slowest_nodes") or {}
    if not isinstance(nodes, dict) or not nodes:
        return [f"No node timings recorded at {size_label(largest)} (older results)."]
    lines = [
        f"Slowest nodes (execution time from `run_results.json`, run 1 at "
        f"{size_label(largest)}; wall time of each build in the table above):",
        "",
    ]
    rows = []
    for key, label in PROFILED_BUILDS:
        for rank, (unique_id, seconds) in enumerate(nodes.get(key, [])[:5]):
            rows.append([label if rank == 0 else "", f"`{unique_id}`", _seconds(float(seconds))])
    return lines + _table(["build", "node", "execution"], rows, right_from=2)


def engines_table(medians: Medians) -> list[str]:
    """DuckDB and Spark local mode building the same lineage from the same load."""
    rows = []
    for size, m in medians.items():
        if not _has(m, "spark_build_fct_s"):
            continue
        rows.append(
            [
                f"{size:,}",
                _cell(m, "dbt_build_fct_s", _seconds),
                _cell(m, "dbt_build_fct_mib", _gb),
                _cell(m, "spark_export_s", _seconds)
                + " + "
                + _cell(m, "spark_build_fct_s", _seconds),
                _cell(m, "spark_build_fct_tree_mib", _gb),
                _cell(m, "ratio_spark_vs_duckdb_fct_build", _times),
                _cell(m, "pipeline_revenue", _money),
            ]
        )
    if not rows:
        return ["Spark local mode has not been measured in these results yet (`make bench`)."]
    header = [
        "invoice lines",
        "DuckDB `dbt build`",
        "DuckDB peak",
        "Spark: `export-raw` + `dbt build`",
        "Spark peak (with JVM)",
        "Spark ÷ DuckDB build",
        "all agree (revenue)",
    ]
    return _table(header, rows)


SPEED_ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("generate", "generate_s", "generate_mib"),
    ("load (all sources)", "load_s", "load_mib"),
    ("full `dbt build` (every model and test)", "dbt_build_s", "dbt_build_mib"),
    ("a new month: land it, `dbt build`", "incremental_s", "incremental_mib"),
    ("nothing new: `load` + `dbt build`", "nothing_new_s", None),
    ("`publish` after a full build", "publish_s", "publish_mib"),
    (
        "raw files -> `fct_daily_revenue_by_country` (load + its lineage)",
        "pipeline_fct_s",
        "pipeline_fct_mib",
    ),
    ("the same table with pandas", "pandas_s", "pandas_mib"),
    ("the same table with one bare DuckDB query (the floor)", "floor_s", "floor_mib"),
    (
        "the same lineage on Spark local mode (export + build)",
        "spark_pipeline_fct_s",
        "spark_build_fct_tree_mib",
    ),
)


def speed_lines(medians: Medians, baseline: Mapping[str, float]) -> list[str]:
    """The README's table: the headline figures at each size from 2M, and the goals."""
    sizes = [s for s in medians if s >= TWO_M] or list(medians)[-1:]
    header = ["step"]
    for s in sizes:
        header += [f"{size_label(s)}: time", "peak memory"]
    rows = []
    for label, time_key, mem_key in SPEED_ROWS:
        cells = [label]
        for s in sizes:
            cells.append(_cell(medians[s], time_key, _seconds))
            cells.append(_cell(medians[s], mem_key, _gb) if mem_key else "")
        rows.append(cells)
    return [
        "Medians on this 2-core machine (from `benchmarks/results/results.json`):",
        "",
        *_table(header, rows),
        "",
        *goal_summary(medians, baseline),
    ]


# -- the sections, and writing them ------------------------------------------------------


def machine_lines(machine: Mapping[str, Any]) -> list[str]:
    return [
        f"- CPU: {machine['cpu']}, {machine['cores']} cores; memory {machine['memory_gib']} GiB; "
        f"{machine['os']}",
        f"- Python {machine['python']}, duckdb {machine['duckdb']}, dbt-core "
        f"{machine['dbt_core']}, dbt-duckdb {machine['dbt_duckdb']}, pandas {machine['pandas']}, "
        f"pyarrow {machine['pyarrow']}",
        f"- git commit {machine['git_commit']}; load average at start "
        f"{machine['load_average_at_start']}",
    ]


def _section(name: str, lines: Sequence[str]) -> str:
    return "\n".join([marker_start(name), "", *lines, "", marker_end(name)])


def benchmark_sections(
    payload: Mapping[str, Any], medians: Medians, baseline: Mapping[str, float]
) -> dict[str, str]:
    """The generated sections of benchmarks/README.md, by marker name."""
    results = [
        f"Measured up to {payload['finished_at']} with "
        + ", then ".join(f"`{command.strip()}`" for command in payload["commands"])
        + "; medians of the runs, ratios of medians.",
        "",
        *machine_lines(payload["machine"]),
        "",
        results_table(medians),
        "",
        "![time against data size](results/time_vs_size.png)",
    ]
    return {
        "results": _section("results", results),
        "goals": _section("goals", goals_table(medians, baseline)),
        "profiles": _section("profiles", profile_lines(payload.get("runs", []), medians)),
        "engines": _section("engines", engines_table(medians)),
    }


def project_sections(medians: Medians, baseline: Mapping[str, float]) -> dict[str, str]:
    """The generated sections of the project's README.md, by marker name."""
    return {
        "speed": _section("speed", speed_lines(medians, baseline)),
        "engines": _section("engines", engines_table(medians)),
    }


def render_into(text: str, sections: Mapping[str, str], *, append: bool = True) -> str:
    """`text` with each section between its markers replaced.

    A section whose markers are missing is appended (`append`) or left out.
    """
    for name, section in sections.items():
        start, end = marker_start(name), marker_end(name)
        if start in text and end in text:
            head, rest = text.split(start, 1)
            _, tail = rest.split(end, 1)
            text = head + section + tail
        elif append:
            text = text.rstrip() + "\n\n" + section + "\n"
    return text


def committed_sections(text: str) -> dict[str, str]:
    """Every generated section found in `text`, markers included, by name."""
    out: dict[str, str] = {}
    prefix = "<!-- generated:"
    for chunk in text.split(prefix)[1:]:
        name, kind = chunk.split(" ", 2)[:2]
        if kind == "start":
            start = marker_start(name)
            body = text.split(start, 1)[1].split(marker_end(name), 1)[0]
            out[name] = start + body + marker_end(name)
    return out


def write_sections(path: Path, sections: Mapping[str, str], *, append: bool = True) -> None:
    text = path.read_text() if path.exists() else ""
    path.write_text(render_into(text, sections, append=append))


def write_results(results_dir: Path, payload: Mapping[str, Any], medians: Medians) -> None:
    """results.json (every run, medians, machine), results.csv (medians) and the plot."""
    results_dir.mkdir(parents=True, exist_ok=True)
    document = dict(payload)
    document["medians"] = {str(size): figures for size, figures in medians.items()}
    (results_dir / "results.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    names = sorted(set().union(*(figures.keys() for figures in medians.values())))
    with (results_dir / "results.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["invoice_lines", *names])
        for size, figures in medians.items():
            writer.writerow([size, *(_csv_value(figures.get(name)) for name in names)])
    plot_time_vs_size(results_dir / "time_vs_size.png", medians)


def _csv_value(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.6g}"


PLOTTED = (
    ("pipeline_s", "pipeline: load + full dbt build (with tests)", "o-"),
    ("pipeline_fct_s", "pipeline: load + build of the mart (no tests)", "o--"),
    ("incremental_s", "pipeline: a new month (land it, dbt build)", "d:"),
    ("spark_end_to_end_fct_s", "Spark local: load + export + build of the mart", "x--"),
    ("pandas_s", "pandas", "s-"),
    ("floor_s", "floor: one DuckDB query", "^-"),
)


def plot_time_vs_size(path: Path, medians: Medians) -> None:
    """Log-log plot of wall time against invoice lines for the approaches."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = list(medians)
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=110)
    for key, label, style in PLOTTED:
        points = [(size, medians[size][key]) for size in sizes if key in medians[size]]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], style, label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("invoice lines")
    axes.set_ylabel("wall time, seconds (median)")
    axes.set_title("Daily revenue by country from the raw files")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
