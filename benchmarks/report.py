"""Turn the runs into medians, a JSON/CSV results file, a plot and the README table."""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

README_START = "<!-- results:start (written by python -m benchmarks.run) -->"
README_END = "<!-- results:end -->"

Medians = dict[int, dict[str, float]]


def medians_by_size(runs: Sequence[Mapping[str, Any]]) -> Medians:
    """Median of every figure over the runs of each size."""
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
        medians[size].update(ratios(medians[size]))
    return medians


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def ratios(m: Mapping[str, float]) -> dict[str, float]:
    """The ratios the issue asks for, from one size's medians (ratios of medians)."""
    return {
        "ratio_pipeline_vs_floor": _ratio(m["pipeline_s"], m["floor_s"]),
        "ratio_pipeline_fct_vs_floor": _ratio(m["pipeline_fct_s"], m["floor_s"]),
        "ratio_pandas_vs_pipeline": _ratio(m["pandas_s"], m["pipeline_s"]),
        "ratio_pandas_vs_pipeline_fct": _ratio(m["pandas_s"], m["pipeline_fct_s"]),
        "ratio_pandas_mem_vs_pipeline_mem": _ratio(m["pandas_mib"], m["pipeline_mib"]),
        "ratio_incremental_vs_full_build": _ratio(
            m["dbt_build_incremental_s"], m["dbt_build_before_last_month_s"]
        ),
        "ratio_incremental_vs_full_with_load": _ratio(
            m["incremental_s"], m["incremental_before_s"]
        ),
        "ratio_loader_speed_vs_read_json": _ratio(m["read_json_s"], m["load_s"]),
    }


def _size_label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M lines"
    if size >= 1_000 and size % 1_000 == 0:
        return f"{size // 1_000}k lines"
    return f"{size:,} lines"


def _seconds(value: float) -> str:
    return f"{value:,.1f} s" if value >= 10 else f"{value:,.2f} s"


def _mib(value: float) -> str:
    return f"{value:,.0f} MiB"


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


ROWS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("runs (median of)", "runs", _count),
    ("machine load average at the start of a run (2 cores)", "load_average_at_start", _load),
    ("**1. generate**", "generate_s", _seconds),
    ("**2. load** (all sources)", "load_s", _seconds),
    ("load peak memory", "load_mib", _mib),
    ("DuckDB bare `read_json` of the invoice files", "read_json_s", _seconds),
    ("`read_json` peak memory", "read_json_mib", _mib),
    ("loader speed ÷ `read_json` speed (goal ≥ 70%)", "ratio_loader_speed_vs_read_json", _percent),
    ("**3. full `dbt build`** (models, seeds, snapshots, tests)", "dbt_build_s", _seconds),
    ("`dbt build` peak memory", "dbt_build_mib", _mib),
    ("`ml` models inside the build (sum of their execution)", "dbt_build_ml_models_s", _seconds),
    (
        "`ml` revenue_features in pandas, as in the model (best of 3, `ml_features.timing`)",
        "ml_features_pandas_s",
        _seconds,
    ),
    ("`ml` revenue_features as SQL window functions (same rows)", "ml_features_sql_s", _seconds),
    ("`ml` revenue_anomalies (numpy)", "ml_anomalies_s", _seconds),
    ("**4. build on all months but the last** (full)", "dbt_build_before_last_month_s", _seconds),
    ("land the last month (`load`)", "load_last_month_s", _seconds),
    ("incremental `dbt build` after it", "dbt_build_incremental_s", _seconds),
    ("incremental ÷ full build (goal < 20%)", "ratio_incremental_vs_full_build", _percent),
    ("same, load included", "ratio_incremental_vs_full_with_load", _percent),
    ("**5. end to end: pipeline** (load + full `dbt build`)", "pipeline_s", _seconds),
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
    ("like-for-like pipeline ÷ floor (goal ≤ 3x at 10M)", "ratio_pipeline_fct_vs_floor", _times),
    ("pandas ÷ pipeline (goal > 1 above 100k)", "ratio_pandas_vs_pipeline", _times),
    ("pandas ÷ like-for-like pipeline", "ratio_pandas_vs_pipeline_fct", _times),
    ("pandas memory ÷ pipeline memory (goal > 1)", "ratio_pandas_mem_vs_pipeline_mem", _times),
    ("agreed: rows of the daily table", "pipeline_rows", _count),
    ("agreed: invoice lines", "pipeline_lines", _count),
    ("agreed: revenue", "pipeline_revenue", _money),
    ("**6. dbt overhead**: `dbt parse` (no partial parse)", "dbt_parse_s", _seconds),
    ("full build: sum of node execution times", "dbt_build_exec_sum_s", _seconds),
    ("full build: busy time (union of node intervals, 2 threads)", "dbt_build_busy_s", _seconds),
    ("full build: wall - busy time (overhead)", "dbt_build_overhead_s", _seconds),
    (
        "full build: wall - sum of node times (issue's definition)",
        "dbt_build_overhead_vs_sum_s",
        _seconds,
    ),
)


def results_table(medians: Medians) -> str:
    """Markdown table: one row per figure, one column per size."""
    sizes = list(medians)
    lines = [
        "| figure | " + " | ".join(_size_label(size) for size in sizes) + " |",
        "| --- | " + " | ".join("---:" for _ in sizes) + " |",
    ]
    for label, key, fmt in ROWS:
        cells = [fmt(medians[size][key]) if key in medians[size] else "n/a" for size in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def goals(medians: Medians) -> list[str]:
    """Each goal of the issue, met or missed, from the medians."""
    sizes = list(medians)
    largest = max(sizes)
    out: list[str] = []
    m = medians[largest]
    ratio = m["ratio_pipeline_fct_vs_floor"]
    out.append(
        f"- End to end within 3x of the floor at the largest size ({_size_label(largest)}): "
        f"like-for-like {_times(ratio)}, whole build {_times(m['ratio_pipeline_vs_floor'])} "
        f"-> **{'met' if ratio <= 3 else 'missed'}**"
        + (" (largest size below 10M: not yet measured at 10M)" if largest < 10_000_000 else "")
    )
    for size in sizes:
        if size <= 100_000:
            continue
        s = medians[size]
        faster = s["ratio_pandas_vs_pipeline"] > 1
        leaner = s["ratio_pandas_mem_vs_pipeline_mem"] > 1
        out.append(
            f"- Faster than pandas with less memory at {_size_label(size)}: pandas takes "
            f"{_times(s['ratio_pandas_vs_pipeline'])} the pipeline's time "
            f"({_times(s['ratio_pandas_vs_pipeline_fct'])} the like-for-like) and "
            f"{_times(s['ratio_pandas_mem_vs_pipeline_mem'])} its memory -> "
            f"**{'met' if faster and leaner else 'missed'}**"
        )
    for size in sizes:
        s = medians[size]
        fraction = s["ratio_incremental_vs_full_build"]
        out.append(
            f"- Incremental month under 20% of the full build at {_size_label(size)}: "
            f"{_percent(fraction)} -> **{'met' if fraction < 0.2 else 'missed'}**"
        )
    for size in sizes:
        s = medians[size]
        speed = s["ratio_loader_speed_vs_read_json"]
        out.append(
            f"- Loader at least 70% of bare `read_json` at {_size_label(size)}: "
            f"{_percent(speed)} -> **{'met' if speed >= 0.7 else 'missed'}**"
        )
    return out


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


def results_section(payload: Mapping[str, Any], medians: Medians) -> str:
    """The generated part of benchmarks/README.md."""
    parts = [
        README_START,
        "",
        f"Measured up to {payload['finished_at']} with "
        + ", then ".join(f"`{command.strip()}`" for command in payload["commands"])
        + "; medians of the runs, ratios of medians.",
        "",
        *machine_lines(payload["machine"]),
        "",
        results_table(medians),
        "",
        "Goals (computed from the table above):",
        "",
        *goals(medians),
        "",
        "![time against data size](results/time_vs_size.png)",
        "",
        README_END,
    ]
    return "\n".join(parts)


def update_readme(readme: Path, section: str) -> None:
    """Replace the generated section of `readme` (between the markers) with `section`."""
    text = readme.read_text() if readme.exists() else ""
    if README_START in text and README_END in text:
        head, rest = text.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    readme.write_text(text)


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
