"""Write-audit-publish with real processes: readers polling and holding the published file
during three `run`s (the third fails a dbt test through its data), then `publish` by hand."""

from __future__ import annotations

from decimal import Decimal


def _snapshots(records: list[dict]) -> list[dict]:
    return [record for record in records if "invocation_id" in record]


def test_green_runs_publish_and_the_failing_run_does_not(publish_runs):
    first, second, third = publish_runs.runs
    assert first.returncode == 0 and second.returncode == 0
    assert "published dbt build" in first.stdout and "published dbt build" in second.stdout
    assert third.returncode != 0
    assert "published dbt build" not in third.stdout
    assert "not run: `publish`" in third.stderr
    assert len(set(publish_runs.green_invocations)) == 2
    assert publish_runs.failed_invocation not in publish_runs.green_invocations


def test_reader_never_got_an_error(publish_runs):
    errors = [record["error"] for record in publish_runs.reader if "error" in record]
    assert errors == []
    assert len(_snapshots(publish_runs.reader)) >= 20


def test_every_snapshot_is_internally_consistent(publish_runs):
    for snap in _snapshots(publish_runs.reader) + _snapshots(publish_runs.holder):
        assert Decimal(snap["daily_revenue"]) == Decimal(snap["by_country_revenue"]), snap
        assert Decimal(snap["daily_revenue"]) == Decimal(snap["invoice_line_price"]), snap
        mismatched = {name: pair for name, pair in snap["row_counts"].items() if pair[0] != pair[1]}
        assert mismatched == {}, snap["invocation_id"]
        assert snap["num_tables"] == snap["tables"] == len(snap["row_counts"])


def test_publications_only_move_forward_and_both_green_builds_were_seen(publish_runs):
    seen = [snap["invocation_id"] for snap in _snapshots(publish_runs.reader)]
    order = list(dict.fromkeys(seen))  # distinct, in order of first sight
    assert order == publish_runs.green_invocations
    positions = [order.index(invocation) for invocation in seen]
    assert positions == sorted(positions), "a reader went back to an older publication"
    stamps = [snap["published_at"] for snap in _snapshots(publish_runs.reader)]
    assert stamps == sorted(stamps)


def test_the_failing_builds_data_never_appears(publish_runs):
    snaps = _snapshots(publish_runs.reader) + _snapshots(publish_runs.holder)
    assert publish_runs.failed_invocation not in {snap["invocation_id"] for snap in snaps}
    # the failed build did rebuild fct_invoice_lines from the third sources (privately) ...
    last_green = [s for s in snaps if s["invocation_id"] == publish_runs.green_invocations[-1]]
    assert publish_runs.failed_price_sum != last_green[-1]["invoice_line_price"]
    # ... and no reader ever saw those figures
    assert publish_runs.failed_price_sum not in {snap["invoice_line_price"] for snap in snaps}


def test_a_process_holding_the_published_file_did_not_stop_run(publish_runs):
    holder = publish_runs.holder
    assert [record for record in holder if "error" in record] == []
    snaps = _snapshots(holder)
    assert len(snaps) >= 20
    # one connection held open through two more runs keeps the view it opened
    assert {snap["invocation_id"] for snap in snaps} == {publish_runs.green_invocations[0]}
    assert holder[-1]["at"] > max(record["at"] for record in publish_runs.reader) - 5


def test_publish_refuses_the_failed_build_and_keeps_the_previous_publication(publish_runs):
    refused = publish_runs.publish_after_failure
    assert refused is not None and refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in refused.stderr
    assert lines[0].startswith("error: nothing published: dbt build")
    assert publish_runs.failed_invocation in lines[0] and "did not pass" in lines[0]
    assert publish_runs.published_sha_after == publish_runs.published_sha_before


def test_publish_by_hand_after_run_says_already_published(publish_runs):
    done = publish_runs.publish_after_run
    assert done is not None and done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"already published dbt build {publish_runs.green_invocations[0]}"
    )
