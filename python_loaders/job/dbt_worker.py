"""The dbt process of the main job: runs its dbt commands one after another, parsing once.

Started by `python_loaders.job.pipeline.DbtSession` as
`python -m python_loaders.job.dbt_worker` (its own process group, as the `dbt`
executable was before), it reads one dbt command per line on stdin (a JSON list
of arguments, as after `dbt` on a command line) and runs it with dbt's
programmatic entry point, `dbtRunner`. The first command is preceded by a
`dbt parse` (partial parsing from target/, as any dbt command does); every
command then reuses that manifest instead of starting Python, importing dbt
and loading the parse state again (about 2.5 s of CPU per command at 2M
lines), and a `dbt build` leaves its compiled nodes in it for
`dbt docs generate --no-compile`. Each command's exit code is dbt's own
(0 success, 1 a node failed, 2 dbt stopped with an error), answered as one line
on the pipe $CHILD_REPLY_FD. After each command the DuckDB warehouse is closed,
so between commands this process holds no lock. Signals behave as with the
`dbt` executable: SIGINT (Ctrl-C) is dbt's KeyboardInterrupt (it cancels the
running queries) and ends this process; SIGTERM and SIGHUP end it at once.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import gc
import json
import os
import sys
from typing import Any

from python_loaders.common.child_process import REPLY_FD_VARIABLE

EXIT_SUCCESS, EXIT_FAILED, EXIT_ERROR = 0, 1, 2  # dbt's own exit codes (dbt.utils.ExitCodes)
EXIT_INTERRUPTED = 130


def release_warehouse() -> None:
    """Close every connection dbt holds, the DuckDB database itself included."""
    from dbt.adapters.factory import cleanup_connections

    cleanup_connections()
    duckdb_connections = sys.modules.get("dbt.adapters.duckdb.connections")
    if duckdb_connections is not None:  # dbt-duckdb keeps the database open until exit
        duckdb_connections.DuckDBConnectionManager.close_all_connections()
    plugin = sys.modules.get("python_loaders.job.dbt_lock_plugin")
    if plugin is not None:
        plugin.Plugin.forget_failure()
    gc.collect()


class Worker:
    """Runs dbt commands in this process, sharing the manifest of one parse."""

    def __init__(self) -> None:
        from dbt.cli.main import dbtRunner

        self._runner_type = dbtRunner
        self._manifest: Any = None

    def _stamp(self, _event: object) -> None:
        """dbt event callback: give the shared manifest the running command's metadata.

        dbt stamps a manifest with the invocation when it parses it; without this the
        manifest.json every command writes would name the parse (publish checks that it
        names the build)."""
        from dbt import tracking
        from dbt_common.invocation import get_invocation_id, get_invocation_started_at

        metadata = self._manifest.metadata
        if metadata.invocation_id == get_invocation_id():
            return
        user = tracking.active_user
        self._manifest.metadata = dataclasses.replace(
            metadata,
            generated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            invocation_id=get_invocation_id(),
            invocation_started_at=get_invocation_started_at(),
            run_started_at=None if user is None else user.run_started_at,
        )

    def run(self, args: list[str]) -> int:
        """Run `dbt ARGS...`; dbt's exit code. Raises KeyboardInterrupt after Ctrl-C."""
        try:
            if self._manifest is None:
                # --quiet: errors only (the command's own header follows); its manifest.json
                # is left to the command, which writes it again anyway
                parsed = self._runner_type().invoke(["parse", "--quiet", "--no-write-json"])
                if not parsed.success:
                    return self._code(parsed)
                self._manifest = parsed.result
            runner = self._runner_type(manifest=self._manifest, callbacks=[self._stamp])
            return self._code(runner.invoke(args))
        finally:
            release_warehouse()

    @staticmethod
    def _code(result: Any) -> int:
        if isinstance(result.exception, KeyboardInterrupt):
            raise result.exception
        if result.success:
            return EXIT_SUCCESS
        return EXIT_FAILED if result.exception is None else EXIT_ERROR


def main() -> int:
    """Serve the commands on stdin until it ends; 0, or 130 after Ctrl-C."""
    reply_fd = int(os.environ[REPLY_FD_VARIABLE])
    try:
        with os.fdopen(reply_fd, "w", encoding="utf-8") as replies:
            worker = Worker()
            for line in sys.stdin:
                args = json.loads(line)
                if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
                    raise SystemExit(f"dbt worker: not a list of arguments: {line.strip()}")
                code = worker.run(args)
                sys.stdout.flush()
                replies.write(f"{code}\n")
                replies.flush()
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_SUCCESS


def exit_now(code: int) -> None:
    """Exit without tearing down the interpreter: freeing dbt's manifest object by object
    costs about a second and holds up the job. The exit handlers still run (log files
    flushed, multiprocessing's semaphores released); every command already wrote its
    artifacts and closed the warehouse."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
