"""One set of real `run`s shared by the publish tests (write-audit-publish, readers, modes).

`publish_runs` does, on a throwaway warehouse and published file:

1. before each `run`, generates the source dir anew (200 customers, 5,000
   invoice lines; seeds 21, 22, 23: every file changes, so every run lands
   new data); for the third run the CRM gets a customer whose country id the
   CRM does not know, so its `dbt build` fails a relationships test: a
   failure made by DATA, the production code has no test hook (a copy of
   each CRM file is kept for the personal-data checks);
2. starts a reader process polling the published file (reconnecting every
   loop) and a file watcher recording the modes of the private warehouse,
   its WAL and its spill folder;
3. `run` on the first sources, then `publish` by hand (already published);
   starts a holder process that keeps one read-only connection to the
   published file open; `run` on the second (green) and third (failing)
   sources. Between those two: a plain `dbt build`
   (own target dir; green, published only to a control path, which must
   work), then a `dbt build` SIGKILLed once its on-run-start hooks ran, then
   `publish` of that green build to a fresh path (must refuse: the
   warehouse's latest build is the killed one). After the failing run,
   `publish` by hand (must refuse);
4. stops the reader and holder and keeps everything they saw.

The tests only read what it recorded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from publish_helpers import DBT, PROJECT_DIR, dbt_env, file_sha256

CUSTOMERS = 200
INVOICE_LINES = 5_000
SEEDS = (21, 22, 23)
UNKNOWN_COUNTRY_ID = 999
READER_PAUSE = 0.1  # seconds between snapshots: frequent, yet not hogging the 2 shared cores
HOLDER_PAUSE = 0.5


@dataclass
class PublishRuns:
    """What the shared runs produced and what the reader, holder and watcher observed."""

    root: Path
    warehouse: Path
    analytics: Path
    target_dir: Path
    source_dir: Path
    crm_copies: list[Path]
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)
    green_invocations: list[str] = field(default_factory=list)
    failed_invocation: str = ""
    failed_price_sum: str = ""
    published_before_failure: str = ""
    publish_after_failure: subprocess.CompletedProcess[str] | None = None
    published_sha_before: str = ""
    published_sha_after: str = ""
    reader: list[dict] = field(default_factory=list)
    holder: list[dict] = field(default_factory=list)
    modes: dict[str, set[int]] = field(default_factory=dict)
    publish_after_run: subprocess.CompletedProcess[str] | None = None
    publish_control: subprocess.CompletedProcess[str] | None = None
    publish_after_kill: subprocess.CompletedProcess[str] | None = None
    killed_analytics: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    cli: Callable[..., subprocess.CompletedProcess[str]] | None = None


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def break_crm(source_dir: Path) -> None:
    """Give one CRM customer a country id the CRM does not have (a relationships test fails)."""
    with sqlite3.connect(source_dir / "aavail-customers.db") as con:
        con.execute(
            "update CUSTOMER set country_id = ?"
            " where generated_id = (select min(generated_id) from CUSTOMER)",
            [UNKNOWN_COUNTRY_ID],
        )


class ModeWatcher(threading.Thread):
    """Poll the modes of the private warehouse, its WAL and spill folder while runs go on."""

    def __init__(self, warehouse: Path) -> None:
        super().__init__(daemon=True)
        self.paths = {
            "warehouse": warehouse,
            "wal": warehouse.with_name(warehouse.name + ".wal"),
            "spill": warehouse.with_name(warehouse.name + ".tmp"),
        }
        self.modes: dict[str, set[int]] = {name: set() for name in self.paths}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            for name, path in self.paths.items():
                with contextlib.suppress(FileNotFoundError):
                    self.modes[name].add(stat.S_IMODE(os.stat(path).st_mode))
            time.sleep(0.01)


def _start_reader(
    analytics: Path, stop: Path, out: Path, pause: float, *hold: str
) -> subprocess.Popen:
    script = str(Path(__file__).resolve().parent / "reader_loop.py")
    return subprocess.Popen(
        [sys.executable, script, str(analytics), str(stop), str(out), str(pause), *hold],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_lines(path: Path, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while len(read_jsonl(path)) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture(scope="session")
def publish_runs(dbt_warehouse_factory) -> PublishRuns:
    wh = dbt_warehouse_factory("publish_runs")
    root = wh.root
    analytics = root / "published" / "analytics.duckdb"
    source = root / "sources"
    (root / "crm").mkdir()
    analytics.parent.mkdir(mode=0o700)  # like data/ made by `load` under the private umask
    runs = PublishRuns(
        root=root, warehouse=wh.path, analytics=analytics, target_dir=wh.target_dir,
        source_dir=source, crm_copies=[], cli=wh.cli, env=wh.env(),
    )  # fmt: skip

    def run(seed: int, *, broken: bool = False) -> subprocess.CompletedProcess[str]:
        generated = wh.cli(
            "generate", "--out", str(source), "--seed", str(seed),
            "--customers", str(CUSTOMERS), "--invoice-lines", str(INVOICE_LINES),
        )  # fmt: skip
        assert generated.returncode == 0, generated.stderr
        if broken:
            break_crm(source)
        runs.crm_copies.append(root / "crm" / f"customers-{seed}.db")
        shutil.copyfile(source / "aavail-customers.db", runs.crm_copies[-1])
        result = wh.cli(
            "run", "--source-dir", str(source), "--warehouse", str(wh.path),
            "--analytics", str(analytics), "--quiet",
        )  # fmt: skip
        runs.runs.append(result)
        return result

    stop = root / "stop-readers"
    reader_out, holder_out = root / "reader.jsonl", root / "holder.jsonl"
    watcher = ModeWatcher(wh.path)
    watcher.start()
    reader = _start_reader(analytics, stop, reader_out, READER_PAUSE)
    holder = None
    try:
        first = run(SEEDS[0])
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr
        runs.green_invocations.append(_published_invocation(analytics))
        # by hand after `run` (whose last dbt command was `docs generate`): nothing to do
        runs.publish_after_run = wh.cli(
            "publish", "--warehouse", str(wh.path), "--analytics", str(analytics)
        )
        holder = _start_reader(analytics, stop, holder_out, HOLDER_PAUSE, "--hold")
        _wait_for_lines(holder_out, 3)

        second = run(SEEDS[1])
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr
        runs.green_invocations.append(_published_invocation(analytics))
        runs.published_sha_before = file_sha256(analytics)

        green_target = root / "green-build" / "target"
        green = _dbt_build(wh.env(), green_target)
        assert green.returncode == 0, green.stdout[-3000:]
        runs.publish_control = wh.cli(
            "publish", "--warehouse", str(wh.path), "--target-dir", str(green_target),
            "--analytics", str(root / "control" / "analytics.duckdb"),
        )  # fmt: skip
        _kill_a_build_after_its_start_hooks(wh.env(), root / "killed" / "target")
        runs.killed_analytics = root / "not-published" / "analytics.duckdb"
        runs.publish_after_kill = wh.cli(
            "publish", "--warehouse", str(wh.path), "--target-dir", str(green_target),
            "--analytics", str(runs.killed_analytics),
        )  # fmt: skip

        third = run(SEEDS[2], broken=True)
        assert third.returncode != 0, "the build on the broken CRM should fail"
        results = json.loads((wh.target_dir / "run_results.json").read_text())
        runs.failed_invocation = results["metadata"]["invocation_id"]
        with duckdb.connect(str(wh.path), read_only=True) as con:
            runs.failed_price_sum = con.execute(
                "select cast(sum(price) as varchar) from marts.fct_invoice_lines"
            ).fetchall()[0][0]
        runs.published_before_failure = runs.green_invocations[-1]
        runs.publish_after_failure = wh.cli(
            "publish", "--warehouse", str(wh.path), "--analytics", str(analytics)
        )
        runs.published_sha_after = file_sha256(analytics)
        _wait_for_lines(reader_out, len(read_jsonl(reader_out)) + 3)
    finally:
        stop.touch()
        for process in (reader, holder):
            if process is not None:
                process.wait(timeout=60)
        watcher.stopped.set()
        watcher.join()
    runs.reader = read_jsonl(reader_out)
    runs.holder = read_jsonl(holder_out)
    runs.modes = watcher.modes
    return runs


def _dbt_build(env: dict[str, str], target: Path) -> subprocess.CompletedProcess[str]:
    """A plain `dbt build` (as typed by hand) writing its artifacts to `target`."""
    return subprocess.run(
        [str(DBT), "build"], cwd=PROJECT_DIR, env=dbt_env(env, target),
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def _kill_a_build_after_its_start_hooks(env: dict[str, str], target: Path) -> None:
    """Start `dbt build` (own target dir) and SIGKILL it as soon as its first node starts."""
    dbt = subprocess.Popen(
        [str(DBT), "build"],
        cwd=PROJECT_DIR,
        env=dbt_env(env, target),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert dbt.stdout is not None
    seen = []
    for line in dbt.stdout:
        seen.append(line)
        if re.search(r"START (seed|sql|snapshot|unit_test|test)", line):
            break
    dbt.kill()
    dbt.wait(timeout=60)
    assert any("on-run-start" in line for line in seen), "".join(seen[-20:])


def _published_invocation(analytics: Path) -> str:
    with duckdb.connect(str(analytics), read_only=True) as con:
        return con.execute("select invocation_id from meta.publication").fetchall()[0][0]
