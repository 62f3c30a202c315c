"""No personal data in the published copy or its Parquet exports.

Two independent checks: by marking (no column marked `personal_data` in the
model YAML, as dbt's manifest records it, is published) and by value (no
published column holds the CRM's names or birth dates, read from SQLite).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path

import duckdb
import pytest

SHARE = 0.5  # a column holding half of the CRM's names or birth dates is personal data


def _marked(column: dict) -> bool:
    config = column.get("config") or {}
    return bool((config.get("meta") or {}).get("personal_data")) or "personal_data" in (
        config.get("tags") or []
    )


@pytest.fixture(scope="module")
def manifest(publish_runs) -> dict:
    return json.loads((publish_runs.target_dir / "manifest.json").read_text())


@pytest.fixture(scope="module")
def exports_manifest(publish_runs) -> dict:
    return json.loads((publish_runs.analytics.parent / "exports" / "manifest.json").read_text())


@pytest.fixture(scope="module")
def published_tables(publish_runs, exports_manifest) -> dict[str, dict[str, list]]:
    """'schema.table' -> column -> distinct values, from the published file and each export."""
    tables: dict[str, dict[str, list]] = {}
    exports = publish_runs.analytics.parent / "exports"
    with duckdb.connect(str(publish_runs.analytics), read_only=True) as con:
        names = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('marts', 'ml')"
        ).fetchall()
        sources = {f"db:{s}.{t}": f'"{s}"."{t}"' for s, t in names}
        for entry in exports_manifest["files"]:
            path = str(exports / entry["path"]).replace("'", "''")
            sources[f"parquet:{entry['schema']}.{entry['table']}"] = f"read_parquet('{path}')"
        for label, relation in sources.items():
            columns = [
                row[0] for row in con.execute(f"describe select * from {relation}").fetchall()
            ]
            tables[label] = {
                column: [
                    row[0]
                    for row in con.execute(
                        f'select distinct cast("{column}" as varchar) from {relation}'
                        f' where "{column}" is not null'
                    ).fetchall()
                ]
                for column in columns
            }
    return tables


def _crm_people(crm_files: list[Path]) -> dict[str, set]:
    """The CRM's first, last and full names and birth dates (each DOB's possible readings)."""
    people: dict[str, set] = {"first": set(), "last": set(), "full": set(), "birth": set()}
    for crm in crm_files:
        with sqlite3.connect(crm) as con:
            for first, last, dob in con.execute("select first_name, last_name, DOB from CUSTOMER"):
                people["first"].add(first.strip().lower())
                people["last"].add(last.strip().lower())
                people["full"].add(f"{first.strip()} {last.strip()}".lower())
                month, day, year = (int(part) for part in dob.split("/"))
                readings = {dob}
                for century in (1900, 2000):
                    with contextlib.suppress(ValueError):
                        readings.add(date(century + year, month, day).isoformat())
                people["birth"].add(frozenset(readings))
    return people


def test_the_marks_are_in_the_manifest(manifest):
    node = manifest["nodes"]["model.aavail.dim_customers"]
    marked = {name for name, column in node["columns"].items() if _marked(column)}
    assert {
        "customer_name",
        "first_name",
        "last_name",
        "birth_date",
        "age",
        "city",
        "state",
    } <= marked
    source = manifest["sources"]["source.aavail.crm.customer"]
    assert {"first_name", "last_name", "dob", "city", "state"} <= {
        name for name, column in source["columns"].items() if _marked(column)
    }


def test_no_column_marked_personal_is_published(manifest, published_tables):
    marked_anywhere = {
        name.lower()
        for node in [*manifest["nodes"].values(), *manifest["sources"].values()]
        for name, column in (node.get("columns") or {}).items()
        if _marked(column)
    }
    assert "birth_date" in marked_anywhere
    leaks = {
        f"{label}.{column}"
        for label, columns in published_tables.items()
        for column in columns
        if column.lower() in marked_anywhere
    }
    assert leaks == set()
    assert "db:marts.dim_customers" in published_tables
    assert "parquet:marts.dim_customers" in published_tables


def test_no_published_column_holds_the_crms_names_or_birth_dates(publish_runs, published_tables):
    people = _crm_people(publish_runs.crm_copies)
    leaks = []
    for label, columns in published_tables.items():
        for column, values in columns.items():
            present = {str(value).strip().lower() for value in values}
            for kind in ("first", "last", "full"):
                share = len(people[kind] & present) / len(people[kind])
                if share >= SHARE:
                    leaks.append(f"{label}.{column} holds {share:.0%} of the CRM's {kind} names")
            births = sum(1 for readings in people["birth"] if readings & present)
            if births / len(people["birth"]) >= SHARE:
                leaks.append(f"{label}.{column} holds the CRM's birth dates")
    assert leaks == []


def test_the_value_check_would_catch_the_private_columns(publish_runs):
    # the same value check, pointed at the private warehouse, finds the personal columns
    with duckdb.connect(str(publish_runs.warehouse), read_only=True) as con:
        names = {
            row[0]
            for row in con.execute(
                "select distinct lower(trim(first_name)) from marts.dim_customers"
            ).fetchall()
        }
        births = {
            row[0]
            for row in con.execute(
                "select distinct cast(birth_date as varchar) from marts.dim_customers"
            ).fetchall()
        }
    shares = []
    for crm in publish_runs.crm_copies:  # the private dim_customers is of the last green run
        people = _crm_people([crm])
        shares.append(
            (
                len(people["first"] & names) / len(people["first"]),
                sum(1 for readings in people["birth"] if readings & births) / len(people["birth"]),
            )
        )
    assert any(name >= SHARE and birth >= SHARE for name, birth in shares), shares


def test_dim_customers_publishes_an_age_band_instead(published_tables):
    columns = published_tables["db:marts.dim_customers"]
    assert "age_band" in columns and "country_name" in columns
    assert set(columns["age_band"]) <= {
        "under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown",
    }  # fmt: skip
    assert published_tables["parquet:marts.dim_customers"].keys() == columns.keys()


def test_exports_manifest_names_the_publication_and_its_files(publish_runs, exports_manifest):
    assert exports_manifest["invocation_id"] == publish_runs.green_invocations[-1]
    exports = publish_runs.analytics.parent / "exports"
    assert (exports / "current").resolve() == (
        exports / exports_manifest["files"][0]["path"]
    ).parents[1]
    with duckdb.connect(str(publish_runs.analytics), read_only=True) as con:
        counts = dict(
            ((f"{s}.{t}"), n)
            for s, t, n in con.execute(
                "select schema_name, table_name, row_count from meta.publication_tables"
            ).fetchall()
        )
        published_at = con.execute("select published_at from meta.publication").fetchall()[0][0]
    assert exports_manifest["published_at"].startswith(published_at.isoformat()[:19])
    assert {f"{f['schema']}.{f['table']}": f["rows"] for f in exports_manifest["files"]} == counts
    for entry in exports_manifest["files"]:
        path = exports / entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        rows = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
        assert rows == entry["rows"]
    # the previous publication's folder is kept for readers still on it, older ones removed
    assert len(list((exports / "publications").iterdir())) == 2
