"""Expected failures, printed as a single line with no traceback: `UserError`, `Interrupted`;
`report_error` prints that line."""

from __future__ import annotations

import signal
import sys


class UserError(Exception):
    """An expected failure the user can act on (bad input, locked warehouse, ...)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Interrupted(KeyboardInterrupt):
    """The job was stopped by a signal (SIGINT, SIGTERM, SIGHUP): exit 128 + its number.

    A KeyboardInterrupt, so the code that cleans up after Ctrl-C (closing the
    load as interrupted, removing scratch files) cleans up after SIGTERM too.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by {self.signal_name}")


def report_error(message: str, exit_code: int) -> int:
    """Print `error: <message>` as one line on stderr and return `exit_code`: how the CLI
    and the job's steps end on an expected failure."""
    print(f"error: {message}", file=sys.stderr)
    return exit_code
