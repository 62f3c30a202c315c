"""dbt-duckdb plugin: before dbt opens the warehouse, wait for other holders like `load` does.

Named in profiles.yml (`plugins: [{module: python_loaders.job.dbt_lock_plugin}]`)
for the DuckDB targets. dbt-duckdb calls `update_connection_config()` just
before each `duckdb.connect()`; the plugin then runs
`python_loaders.common.warehouse.wait_until_free()` with $AAVAIL_LOCK_TIMEOUT seconds
(default 30, the `--lock-timeout` of `load`). So a bare `dbt build` while a
notebook or a load holds the file waits, and if the file stays held ends with
dbt's one-line "Runtime Error" naming the holder, instead of DuckDB's traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt_common.exceptions import DbtRuntimeError

from python_loaders.common.errors import UserError
from python_loaders.common.permissions import make_private
from python_loaders.common.warehouse import wait_until_free

DEFAULT_LOCK_TIMEOUT_SECONDS = 30.0


def lock_timeout() -> float:
    """Seconds to wait for the warehouse: $AAVAIL_LOCK_TIMEOUT, else 30."""
    text = os.environ.get("AAVAIL_LOCK_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT_SECONDS
    try:
        value = float(text)
    except ValueError:
        raise DbtRuntimeError(f"AAVAIL_LOCK_TIMEOUT is not a number of seconds: {text!r}") from None
    return max(value, 0.0)


class Plugin(BasePlugin):
    """Bounded wait for the warehouse file before dbt-duckdb connects to it.

    dbt may reconnect several times after a failed connect (its rollback opens
    the connection again): the first failure is remembered and repeated at
    once, so the whole command waits at most the timeout once (per command).
    """

    _failure: str | None = None

    @classmethod
    def forget_failure(cls) -> None:
        """The next dbt command waits again (python_loaders.job.dbt_worker runs several)."""
        cls._failure = None

    def update_connection_config(self, creds: DuckDBCredentials, config: dict[str, Any]) -> None:
        if creds.path in ("", ":memory:") or creds.path.startswith(("md:", "motherduck:")):
            return
        make_private(Path(creds.path))  # owner-only warehouse, WAL and spill folder
        if Plugin._failure is None:
            try:
                wait_until_free(
                    Path(creds.path),
                    lock_timeout=lock_timeout(),
                    timeout_option="AAVAIL_LOCK_TIMEOUT",
                )
                return
            except UserError as error:
                Plugin._failure = str(error)
        raise DbtRuntimeError(Plugin._failure)
