"""Every dirt pattern of the reference README is present, in roughly its share."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.python.generator.conftest import SMALL_CUSTOMERS, SMALL_LINES


def one(db: duckdb.DuckDBPyConnection, sql: str):
    return db.execute(sql).fetchone()[0]


# --- CRM -------------------------------------------------------------------


def test_duplicate_customers_are_exact_copies_at_the_end(sources_db):
    copies = sources_db.execute(
        """
        select c.generated_id, o.generated_id
        from customer c
        join customer o
          on o.customer_id = c.customer_id and o.generated_id < c.generated_id
         and o.last_name = c.last_name and o.first_name = c.first_name
         and o.gender = c.gender and o.dob = c.dob and o.city = c.city
         and o.state is not distinct from c.state and o.country_id = c.country_id
        """
    ).fetchall()
    assert 1 <= len(copies) <= 0.02 * SMALL_CUSTOMERS
    assert all(new > SMALL_CUSTOMERS for new, _ in copies)
    rows = one(sources_db, "select count(*) from customer")
    assert rows == SMALL_CUSTOMERS + len(copies)
    assert one(sources_db, "select max(generated_id) from customer") == rows


def test_dob_is_two_digit_year_text_spanning_1960s_to_2006(sources_db):
    assert (
        one(
            sources_db,
            r"select count(*) from customer where not regexp_matches(dob,"
            r" '^\d\d/\d\d/\d\d$')",
        )
        == 0
    )
    years = {row[0] for row in sources_db.execute("select right(dob, 2) from customer").fetchall()}
    assert any(y.startswith("6") for y in years)  # a naive parser puts these in the 2060s
    assert any(y.startswith("9") for y in years)
    assert any(y.startswith("0") for y in years)
    assert max(y for y in years if y < "50") <= "06"
    assert min(y for y in years if y >= "50") >= "60"
    assert (
        one(sources_db, "select count(*) from customer where try_strptime(dob, '%m/%d/%y') is null")
        == 0
    )


def test_gender_and_places(sources_db):
    genders = {r[0] for r in sources_db.execute("select distinct gender from customer").fetchall()}
    assert genders == {"m", "f"}
    singapore = sources_db.execute(
        "select distinct city, state from customer where country_id = 0"
    ).fetchall()
    assert singapore == [("singapore", None)]
    us = sources_db.execute("select city, state from customer where country_id = 1").fetchall()
    assert len(us) > 0.5 * SMALL_CUSTOMERS
    assert all(city.istitle() and state is not None and state.istitle() for city, state in us)
    assert any(" " in state for _, state in us)  # full names: "New York", not "NY"
    names = {r[0] for r in sources_db.execute("select country_name from country").fetchall()}
    assert names == {"singapore", "united_states"}


# --- streams ---------------------------------------------------------------


def test_blank_stream_ids(sources_db):
    rows = one(sources_db, "select count(*) from streams")
    blank = one(sources_db, "select count(*) from streams where stream_id is null")
    assert 0.03 * rows <= blank <= 0.09 * rows


def test_plan_written_as_float(small_sources: Path):
    lines = (small_sources / "aavail-streams.csv").read_text().splitlines()[1:]
    assert {line.split(",")[3] for line in lines} == {"1.0", "2.0", "3.0"}


def test_a_few_exact_duplicate_stream_rows(sources_db):
    rows = one(sources_db, "select count(*) from streams")
    distinct = one(sources_db, "select count(*) from (select distinct * from streams)")
    assert 1 <= rows - distinct <= 0.002 * rows


# --- billing ---------------------------------------------------------------


def test_exact_duplicate_invoice_lines_about_one_percent(sources_db):
    distinct = one(
        sources_db,
        "select count(*) from (select distinct * exclude (filename) from lines)",
    )
    assert 0.005 * SMALL_LINES <= SMALL_LINES - distinct <= 0.02 * SMALL_LINES


def test_null_customers_about_thirty_percent(sources_db):
    share = one(
        sources_db, "select count(*) filter (where customer_id is null) / count(*) from lines"
    )
    assert 0.2 <= share <= 0.4


def test_letter_prefixed_invoices(sources_db):
    cancelled = one(sources_db, "select count(*) from lines where invoice like 'C%'")
    assert 0.005 * SMALL_LINES <= cancelled <= 0.03 * SMALL_LINES
    adjustments = sources_db.execute("select price from lines where invoice like 'A%'").fetchall()
    assert 1 <= len(adjustments) <= 10
    assert all(price < -1000 for (price,) in adjustments)
    assert (
        one(
            sources_db,
            r"select count(*) from lines where not regexp_matches(invoice,"
            r" '^[A-Z]?\d{6,}$')",
        )
        == 0
    )


def test_a_few_days_of_negative_revenue(sources_db):
    negative = sources_db.execute(
        "select year, month, day from lines group by all having sum(price) < 0"
    ).fetchall()
    assert 1 <= len(negative) <= 5


def test_non_product_and_odd_stream_codes(sources_db):
    codes = {r[0] for r in sources_db.execute("select distinct stream_id from lines").fetchall()}
    for code in ("POST", "DOT", "M", "D", "C2", "AMAZONFEE", "BANK CHARGES", "CRUK"):
        assert code in codes, code
    assert any(c.startswith("gift_0001_") for c in codes)
    assert any(len(c) == 8 and c[:4] == "DCGS" and c[4:].isdigit() for c in codes)
    assert any(c[:5].isdigit() and c[5:].isalpha() and c[5:].isupper() for c in codes)
    assert any(c[:5].isdigit() and len(c) == 7 and c[5:].isupper() for c in codes)  # 15056BL
    assert any(c[:5].isdigit() and c[5:].isalpha() and c[5:].islower() for c in codes)


def test_price_outliers_and_two_decimals(sources_db):
    assert one(sources_db, "select count(*) from lines where price = 0") > 0
    assert one(sources_db, "select max(price) from lines") > 1000
    assert one(sources_db, "select count(*) from lines where round(price, 2) != price") == 0


def test_weekly_pattern_few_saturdays(sources_db):
    per_weekday = dict(
        sources_db.execute(
            "select dayname(make_date(year::int, month::int, day::int)), count(*)"
            " from lines group by 1"
        ).fetchall()
    )
    assert per_weekday.get("Saturday", 0) <= 0.005 * SMALL_LINES
    assert per_weekday["Thursday"] > per_weekday["Sunday"]


def test_autumn_peak(sources_db):
    per_month = dict(
        sources_db.execute(
            "select month, count(*) from lines where year = '2018' group by 1"
        ).fetchall()
    )
    assert per_month["11"] > 1.5 * per_month["02"]
    assert per_month["10"] > per_month["06"]


def test_christmas_2017_gap(sources_db):
    assert (
        one(
            sources_db,
            "select count(*) from lines where make_date(year::int, month::int, day::int)"
            " between date '2017-12-23' and date '2018-01-03'",
        )
        == 0
    )
    assert one(sources_db, "select count(*) from lines where year = '2017' and month = '12'") > 0


def test_one_sudden_drop(sources_db):
    daily = sources_db.execute(
        """
        with days as (
            select d::date as d
            from generate_series(date '2019-05-01', date '2019-07-31', interval 1 day) as t(d)
            where dayname(d) not in ('Saturday', 'Sunday')
        ),
        counts as (
            select make_date(year::int, month::int, day::int) as d, count(*) as n
            from lines group by 1
        )
        select days.d, coalesce(counts.n, 0) from days left join counts using (d) order by 1
        """
    ).fetchall()
    counts = sorted(n for _, n in daily)
    median = counts[len(counts) // 2]
    low = [d for d, n in daily if n < 0.3 * median]
    assert 3 <= len(low) <= 6  # a few weekdays in a row at a fraction of the usual volume
    assert (low[-1] - low[0]).days <= 7


def test_countries_uk_dominant_with_source_spellings(sources_db):
    countries = {r[0] for r in sources_db.execute("select distinct country from lines").fetchall()}
    assert 35 <= len(countries) <= 45
    assert {"EIRE", "USA", "Channel Islands", "RSA", "Unspecified", "United Kingdom"} <= countries
    uk_share = one(
        sources_db,
        "select sum(price) filter (where country = 'United Kingdom') / sum(price)"
        " from lines where invoice not like 'A%'",
    )
    assert 0.75 <= uk_share <= 0.95
