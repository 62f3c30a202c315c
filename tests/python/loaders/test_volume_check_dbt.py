"""Issue 8 point 2: `dbt build` fails when a source lost most of its rows since the previous
load, even though the near-empty file that replaced the old one is valid and landed cleanly,
and it keeps failing on a rerun that changes nothing. A real load and a real dbt build."""

from __future__ import annotations

STREAMS_HEADER = "customer_id,stream_id,date,invoice_item_id,subscription_stopped"


def test_dbt_build_errors_when_a_source_collapses(dbt_warehouse_factory, tmp_path):
    warehouse = dbt_warehouse_factory("volume")
    sources = tmp_path / "sources"
    generated = warehouse.cli(
        "generate", "--out", str(sources), "--seed", "5", "--customers", "40",
        "--invoice-lines", "400",
    )  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    warehouse.load(sources)
    streams = sources / "aavail-streams.csv"
    first_row = streams.read_text().splitlines()[1]
    streams.write_text(f"{STREAMS_HEADER}\n{first_row}\n")  # valid, but one row left
    warehouse.load(sources)  # lands cleanly: exit 0
    warehouse.load(sources)  # a rerun skips everything: the drop must still be seen

    # Every source's tests, and everything built on the streams (skipped after the failure).
    build = warehouse.dbt(
        "build", "--threads", "2", "--select", "source:*", "source:streaming+", check=False
    )

    assert build.returncode != 0
    results = {r["unique_id"]: r["status"] for r in warehouse.run_results["results"]}
    volume = {uid: status for uid, status in results.items() if "volume_not_collapsed" in uid}
    failing = sorted(uid for uid, status in volume.items() if status == "fail")
    assert len(failing) == 1 and "streaming_streams" in failing[0], volume
    assert len(volume) == 6  # one per raw source table; the other five pass
    assert all(s == "pass" for uid, s in volume.items() if uid not in failing)
    assert results["model.aavail.fct_streams"] == "skipped"
    [(rows_before, rows)] = warehouse.query(
        "select rows_before, rows from raw_meta.table_volumes"
        " where table_name = 'raw_streaming.streams' and load_id = 2"
    )
    assert rows == 1 and rows_before > 2
