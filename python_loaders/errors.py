"""The one exception type for expected failures: printed as a single line, no traceback."""

from __future__ import annotations


class UserError(Exception):
    """An expected failure the user can act on (bad input, locked warehouse, ...)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
