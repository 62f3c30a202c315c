"""Charts for analysts, rendered from the published warehouse (`data/analytics.duckdb`).

`python -m python_loaders charts [--analytics A] [--out DIR]` (and every `run`,
after publish and before `dbt docs generate`) writes into `assets/charts/`:

- `monthly_revenue_by_country.png`: monthly revenue of the top countries;
- `daily_revenue_anomalies.png`: daily revenue of all countries, the days
  `ml.revenue_anomalies` flags marked;
- `churn_rate_by_plan.png`, `churn_rate_by_country.png`: share of subscribed
  customers who cancelled;
- `subscribers_over_time.png`: active subscribers at each month's end;
- `report.html`: the charts with a table of the figures behind them.

dbt copies `assets/` into the docs site (`asset-paths` in dbt_project.yml), so
the docs Overview shows the charts and links the report. `$AAVAIL_CHARTS_DIR`
sends them elsewhere (tests running `run` on throwaway warehouses set it, so
they never overwrite the project's charts). The same published
data gives byte-identical files: PNG metadata carries no software or date.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # after choosing the Agg backend
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from python_loaders.common.errors import UserError

CHARTS_DIR = Path("assets") / "charts"  # under the project; dbt_project.yml asset-paths: [assets]
CHARTS_DIR_VARIABLE = "AAVAIL_CHARTS_DIR"
TOP_COUNTRIES = 5
REVENUE_UNIT = "revenue (sum of price, source currency)"
PNG_METADATA = {"Software": None}  # no matplotlib version stamp: same data, same bytes
DPI = 100

MONTHLY_REVENUE_SQL = f"""
with by_country as (
    select country_name, sum(revenue) as revenue
    from marts.fct_daily_revenue_by_country
    group by country_name
),
ranked as (
    select country_name, row_number() over (order by revenue desc, country_name) as rank
    from by_country
)
select
    date_trunc('month', daily.revenue_date)::date as revenue_month,
    case when ranked.rank <= {TOP_COUNTRIES} then daily.country_name else 'Other countries' end
        as country_name,
    min(ranked.rank) as rank,
    sum(daily.revenue) as revenue
from marts.fct_daily_revenue_by_country as daily
inner join ranked on daily.country_name = ranked.country_name
group by all
order by revenue_month, rank
"""

DAILY_ANOMALIES_SQL = """
select revenue_date, revenue, expected_revenue, is_anomaly
from ml.revenue_anomalies
where is_all_countries
order by revenue_date
"""

# Churn rate: share of customers with a subscription who cancelled it (not is_subscriber).
CHURN_SQL = """
select
    {group} as group_name,
    count(*) as subscribed_customers,
    count(*) filter (where not is_subscriber) as churned_customers,
    count(*) filter (where not is_subscriber) / count(*) as churn_rate
from marts.dim_customers
where subscriber_type is not null
group by {group}
order by churn_rate desc, group_name
"""

# Active subscribers at a month's end: signed up by then, and not yet cancelled
# (a churned customer cancelled on their last stream event).
SUBSCRIBERS_SQL = """
with customers as (
    select
        signup_date,
        case when not is_subscriber then last_stream_event_date end as cancelled_date
    from marts.dim_customers
    where subscriber_type is not null and signup_date is not null
),
months as (
    select cast(unnest(generate_series(
        date_trunc('month', min(signup_date)),
        date_trunc('month', greatest(max(signup_date), max(cancelled_date))),
        interval 1 month
    )) as date) as month_start
    from customers
)
select
    months.month_start as month,
    count(customers.signup_date) filter (
        where customers.signup_date < months.month_start + interval 1 month
        and (customers.cancelled_date is null
             or customers.cancelled_date >= months.month_start + interval 1 month)
    ) as active_subscribers
from months
cross join customers
group by months.month_start
order by months.month_start
"""

TOTALS_SQL = """
select
    (select sum(revenue) from marts.fct_daily_revenue) as total_revenue,
    (select min(revenue_date) from marts.fct_daily_revenue) as first_date,
    (select max(revenue_date) from marts.fct_daily_revenue) as last_date,
    (select count(*) from ml.revenue_anomalies where is_all_countries and is_anomaly)
        as anomaly_days,
    (select count(*) from marts.dim_customers where is_subscriber) as subscribers
"""


@dataclass(frozen=True)
class ReportData:
    """Everything the charts and the report page show, read in one connection."""

    monthly_by_country: pd.DataFrame
    daily: pd.DataFrame
    churn_by_plan: pd.DataFrame
    churn_by_country: pd.DataFrame
    subscribers: pd.DataFrame
    totals: dict[str, object]


def read_report_data(analytics: Path) -> ReportData:
    """Query the published warehouse (read-only; one consistent snapshot)."""
    if not analytics.is_file():
        raise UserError(
            f"{analytics}: no published warehouse (run `python -m python_loaders publish` first)"
        )
    try:
        with duckdb.connect(str(analytics), read_only=True) as con:
            totals_frame = con.sql(TOTALS_SQL).df()
            return ReportData(
                monthly_by_country=con.sql(MONTHLY_REVENUE_SQL).df(),
                daily=con.sql(DAILY_ANOMALIES_SQL).df(),
                churn_by_plan=con.sql(CHURN_SQL.format(group="subscriber_type")).df(),
                churn_by_country=con.sql(CHURN_SQL.format(group="country_name")).df(),
                subscribers=con.sql(SUBSCRIBERS_SQL).df(),
                totals=totals_frame.iloc[0].to_dict(),
            )
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0]
        raise UserError(f"{analytics}: cannot read the published tables: {first_line}") from None


def _money(value: float, _position: object = None) -> str:
    return f"{value:,.0f}"


def _figure(title: str) -> tuple[Figure, plt.Axes]:
    figure, axes = plt.subplots(figsize=(9, 4.5), dpi=DPI)
    axes.set_title(title, fontsize=12)
    axes.grid(True, alpha=0.3)
    return figure, axes


def _monthly_revenue(data: ReportData) -> Figure:
    figure, axes = _figure(f"Monthly revenue, top {TOP_COUNTRIES} countries and the rest")
    frame = data.monthly_by_country
    for name, rows in frame.groupby("country_name", sort=False):
        axes.plot(
            rows["revenue_month"], rows["revenue"].astype(float), marker="o", ms=3, label=name
        )
    # one country usually dwarfs the rest: a symmetric log scale keeps every line readable
    # (linear near zero, so negative months from adjustments still show)
    axes.set_yscale("symlog", linthresh=100)
    axes.set_xlabel("month")
    axes.set_ylabel(f"monthly {REVENUE_UNIT},\nlog scale")
    axes.yaxis.set_major_formatter(FuncFormatter(_money))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    axes.legend(title="country", fontsize=8, ncols=3)
    return figure


def _daily_anomalies(data: ReportData) -> Figure:
    figure, axes = _figure("Daily revenue, all countries, with the anomalies flagged")
    frame = data.daily
    axes.plot(frame["revenue_date"], frame["revenue"].astype(float), lw=0.8, label="daily revenue")
    expected = frame["expected_revenue"].astype(float)
    axes.plot(frame["revenue_date"], expected, lw=0.8, alpha=0.7, label="expected (weekday median)")
    flagged = frame[frame["is_anomaly"]]
    axes.scatter(
        flagged["revenue_date"],
        flagged["revenue"].astype(float),
        color="red",
        zorder=3,
        s=18,
        label="anomaly (ml.revenue_anomalies)",
    )
    axes.set_xlabel("day")
    axes.set_ylabel(f"daily {REVENUE_UNIT}")
    axes.yaxis.set_major_formatter(FuncFormatter(_money))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    axes.legend(fontsize=8)
    return figure


def _churn(frame: pd.DataFrame, by: str) -> Figure:
    figure, axes = _figure(f"Churn rate by {by}: share of subscribed customers who cancelled")
    rates = frame["churn_rate"].astype(float)
    axes.bar(frame["group_name"], rates, label="churn rate", color="tab:orange")
    axes.set_xlabel(by)
    axes.set_ylabel("churn rate (% of subscribed customers)")
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylim(0, max(1.0, float(rates.max()) if len(rates) else 1.0) * 1.05)
    axes.legend(fontsize=8)
    return figure


def _subscribers(data: ReportData) -> Figure:
    figure, axes = _figure("Active subscribers at each month's end")
    frame = data.subscribers
    axes.plot(frame["month"], frame["active_subscribers"], marker="o", ms=3, label="subscribers")
    axes.set_xlabel("month")
    axes.set_ylabel("subscribers (customers)")
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    axes.legend(fontsize=8)
    return figure


CHARTS: dict[str, tuple[str, Callable[[ReportData], Figure]]] = {
    "monthly_revenue_by_country.png": ("Monthly revenue by country", _monthly_revenue),
    "daily_revenue_anomalies.png": ("Daily revenue and anomalies", _daily_anomalies),
    "churn_rate_by_plan.png": (
        "Churn rate by plan",
        lambda data: _churn(data.churn_by_plan, "plan"),
    ),
    "churn_rate_by_country.png": (
        "Churn rate by country",
        lambda data: _churn(data.churn_by_country, "country"),
    ),
    "subscribers_over_time.png": ("Subscribers over time", _subscribers),
}
REPORT_PAGE = "report.html"


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside `path`, then rename it into place."""
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(fd)
    try:
        write(Path(scratch))
        os.chmod(scratch, 0o644)
        os.replace(scratch, path)
    finally:
        Path(scratch).unlink(missing_ok=True)


def _save_png(figure: Figure, path: Path) -> None:
    figure.tight_layout()
    _write_atomically(
        path, lambda scratch: figure.savefig(scratch, format="png", metadata=PNG_METADATA)
    )
    plt.close(figure)


Columns = dict[str, tuple[str, str]]  # column -> (header, format spec)
MONEY, RATE, PLAIN = ".2f", ".4f", ""


def _cell(value: object, spec: str) -> str:
    """One table cell: money to the cent, rates to 4 places, dates ISO, the rest as is."""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if spec and isinstance(value, int | float):
        return format(value, spec)
    return str(value)


def _table(frame: pd.DataFrame, columns: Columns, table_id: str) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for label, _ in columns.values())
    rows = []
    for record in frame.to_dict("records"):
        cells = "".join(
            f'<td data-column="{name}">{html.escape(_cell(record[name], spec))}</td>'
            for name, (_, spec) in columns.items()
        )
        rows.append(f"<tr>{cells}</tr>")
    return f'<table id="{table_id}"><tr>{head}</tr>{"".join(rows)}</table>'


def _report_html(data: ReportData) -> str:
    totals = data.totals
    top = data.monthly_by_country.groupby("country_name", sort=False)["revenue"].sum().reset_index()
    figures = "".join(
        f'<figure><img src="{name}" alt="{html.escape(caption)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for name, (caption, _) in CHARTS.items()
    )
    totals_frame = pd.DataFrame(
        [
            {"figure": key, "value": _cell(value, MONEY if key == "total_revenue" else PLAIN)}
            for key, value in totals.items()
        ]
    )
    totals_columns: Columns = {"figure": ("figure", PLAIN), "value": ("value", PLAIN)}
    country_columns: Columns = {"country_name": ("country", PLAIN), "revenue": ("revenue", MONEY)}
    churn_columns: Columns = {
        "group_name": ("group", PLAIN),
        "subscribed_customers": ("subscribed customers", PLAIN),
        "churned_customers": ("churned customers", PLAIN),
        "churn_rate": ("churn rate (0-1)", RATE),
    }
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AAVAIL charts</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto}}
img{{max-width:100%}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}</style></head>
<body><h1>AAVAIL charts</h1>
<p>Rendered by <code>python -m python_loaders charts</code> from the published warehouse
(schemas <code>marts</code> and <code>ml</code>); {REVENUE_UNIT}.</p>
<h2>Totals</h2>{_table(totals_frame, totals_columns, "totals")}
<h2>Revenue by country (top {TOP_COUNTRIES} and the rest)</h2>
{_table(top, country_columns, "revenue-by-country")}
<h2>Churn by plan</h2>{_table(data.churn_by_plan, churn_columns, "churn-by-plan")}
<h2>Churn by country</h2>{_table(data.churn_by_country, churn_columns, "churn-by-country")}
<h2>Charts</h2>{figures}
</body></html>
"""


def default_charts_dir(project: Path) -> Path:
    """Where `run` and `charts` draw: $AAVAIL_CHARTS_DIR (tests), else <project>/assets/charts."""
    return Path(os.environ.get(CHARTS_DIR_VARIABLE) or project / CHARTS_DIR).expanduser()


def render_charts(analytics: Path, out_dir: Path) -> list[Path]:
    """Render every chart and the report page from `analytics` into `out_dir`; return the files."""
    data = read_report_data(analytics)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with plt.rc_context({"font.family": "DejaVu Sans"}):  # the same font on every machine
        for name, (_, draw) in CHARTS.items():
            _save_png(draw(data), out_dir / name)
            written.append(out_dir / name)
    page = out_dir / REPORT_PAGE
    _write_atomically(page, lambda scratch: scratch.write_text(_report_html(data), "utf-8"))
    written.append(page)
    return written
