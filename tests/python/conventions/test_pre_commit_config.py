"""The pre-commit hooks are local and run the venv's pinned tools (no hook repo fetched)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[3]
CONFIG = PROJECT_DIR / ".pre-commit-config.yaml"


def test_pre_commit_accepts_the_config():
    pre_commit = Path(sys.executable).with_name("pre-commit")
    result = subprocess.run(
        [str(pre_commit), "validate-config", str(CONFIG)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_hook_is_local_and_runs_a_pinned_venv_tool_or_make():
    config = yaml.safe_load(CONFIG.read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert {hook["id"] for hook in hooks} == {
        "ruff-check",
        "ruff-format",
        "sqlfluff-lint",
        "dbt-score",
    }
    for hook in hooks:
        assert hook["language"] == "system", hook["id"]
        tools = re.findall(r"\.venv/bin/[\w-]+", hook["entry"])
        assert tools or shlex.split(hook["entry"])[0] == "make", hook["id"]
        for tool in tools:
            assert (PROJECT_DIR / tool).is_file(), f"{hook['id']}: {tool} is not in the venv"
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "\nlint-dbt:" in makefile and "dbt-score lint" in makefile
