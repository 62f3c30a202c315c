"""The states a file and a load run can be in (the values stored in `raw_meta`)."""

from __future__ import annotations

from enum import StrEnum


class FileStatus(StrEnum):
    """What happened to one file in a run; `landed` and `rejected` are stored in raw_meta.files."""

    LANDED = "landed"
    SKIPPED = "skipped"
    MOVED = "moved"
    REJECTED = "rejected"


class LoadStatus(StrEnum):
    """The state of one run, stored in raw_meta.loads.status."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
