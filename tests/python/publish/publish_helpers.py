"""Paths and small helpers shared by the publish tests and their conftest.

A module of its own (not `conftest`): pytest puts each test folder on
`sys.path`, so `from conftest import ...` would find whichever folder's
conftest was imported first (tests/python/semantic_layer has one too).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[3]
DBT = Path(sys.executable).with_name("dbt")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dbt_env(env: dict[str, str], target: Path) -> dict[str, str]:
    return {**env, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target / "logs")}
