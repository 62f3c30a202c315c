"""The job's dbt process (`DbtSession`, python_loaders.job.dbt_worker) answers as `dbt` does.

Real dbt in both: each command runs once through a session and once as the
`dbt` executable on the same warehouse, and their exit codes must agree, for
every kind of outcome (success, nothing selected, an error before any node, a
failing query). Then a whole `run`: its docs (`docs generate` on the build's
compiled manifest) hold what a plain `dbt docs generate` writes, and the
manifest names the command that wrote it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest
from job_helpers import DBT, PROJECT_DIR, cli, job_env, run_process

from python_loaders.common.errors import UserError
from python_loaders.job.pipeline import DbtSession

COMMANDS: dict[str, tuple[str, ...]] = {
    "success": ("ls", "--select", "stg_crm__plans"),
    "nothing-selected": ("build", "--select", "no_such_model"),
    "unknown-macro": ("run-operation", "no_such_macro"),
    "failing-query": ("show", "--inline", "select * from no_such_table"),
    "bad-option": ("build", "--no-such-option"),
}


def test_each_kind_of_outcome_gives_dbts_own_exit_code(
    loaded_warehouse: Path, job_root: Path, monkeypatch
):
    for key, value in job_env(job_root, loaded_warehouse).items():
        monkeypatch.setenv(key, value)
    with DbtSession(PROJECT_DIR, loaded_warehouse, lock_timeout=5) as session:
        by_session = {kind: session.run(args) for kind, args in COMMANDS.items()}
        pid = session.pid
    by_dbt = {
        kind: run_process([DBT, *args], job_env(job_root, loaded_warehouse)).returncode
        for kind, args in COMMANDS.items()
    }
    assert by_session == by_dbt
    assert by_dbt["success"] == 0 and by_dbt["unknown-macro"] != 0
    assert by_dbt["failing-query"] != 0
    assert pid is not None  # one process answered them all
    duckdb.connect(str(loaded_warehouse)).close()  # and holds nothing once ended


@pytest.mark.parametrize(
    "option", ["--vars", "--target", "--profile", "--project-dir", "--profiles-dir"]
)
def test_an_option_that_changes_what_dbt_parses_is_refused(
    option: str, loaded_warehouse: Path, job_root: Path, monkeypatch
):
    """The session parses once: a command may not parse the project differently."""
    for key, value in job_env(job_root, loaded_warehouse).items():
        monkeypatch.setenv(key, value)
    with (
        DbtSession(PROJECT_DIR, loaded_warehouse, lock_timeout=5) as session,
        pytest.raises(UserError) as refused,
    ):
        session.run(("build", f"{option}=x"))
    assert option in str(refused.value)
    assert session.pid is None  # dbt was never started


def _nodes_compiled(manifest: dict) -> dict[str, str | None]:
    return {
        uid: node.get("compiled_code")
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] not in ("seed", "operation")
    }


def test_the_docs_of_a_run_hold_what_a_plain_docs_generate_writes(
    tiny_sources: Path, job_root: Path, job_warehouse: Path, tmp_path: Path
):
    env = job_env(job_root, job_warehouse)
    done = run_process(
        cli("run", "--source-dir", str(tiny_sources), "--warehouse", str(job_warehouse)), env
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "$ dbt docs generate --no-compile" in done.stdout
    target = job_root / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    compiled = _nodes_compiled(manifest)
    assert compiled and all(compiled.values()), [u for u, c in compiled.items() if not c]
    # the manifest names the last command that wrote it, in the dbt log, not the parse
    log = (job_root / "logs" / "dbt.log").read_text()
    assert f"| {manifest['metadata']['invocation_id']} =====" in log

    plain_target = tmp_path / "plain"
    plain = subprocess.run(
        [DBT, "docs", "generate"],
        cwd=PROJECT_DIR,
        env={**env, "DBT_TARGET_PATH": str(plain_target)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert plain.returncode == 0, plain.stdout[-3000:]
    plain_manifest = json.loads((plain_target / "manifest.json").read_text())
    plain_catalog = json.loads((plain_target / "catalog.json").read_text())
    assert set(compiled) == set(_nodes_compiled(plain_manifest))
    for part in ("nodes", "sources"):
        assert catalog[part].keys() == plain_catalog[part].keys()
        for uid, table in catalog[part].items():
            assert table["columns"].keys() == plain_catalog[part][uid]["columns"].keys(), uid
    # What a build compiled against the warehouse before it ran (incremental models, the
    # month-scoped tests) may differ from a compile after it; everything else is the same.
    stateless = {
        uid
        for uid, node in plain_manifest["nodes"].items()
        if node["resource_type"] in ("model", "analysis")
        and node["config"].get("materialized") != "incremental"
    }
    assert stateless
    plain_compiled = _nodes_compiled(plain_manifest)
    differ = [uid for uid in stateless if compiled[uid] != plain_compiled[uid]]
    assert differ == []
