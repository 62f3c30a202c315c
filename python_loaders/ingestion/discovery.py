"""Which files of a source directory are source files, and what every other entry is.

`discover()` walks the source dir and sorts every entry into exactly one of:

* `Found`: a file some source claims (by its path relative to the source dir),
  to be landed, skipped or rejected by `loading`;
* `Ignored`: everything else, with the reason (hidden, not a source file name,
  a SQLite side file, not a regular file, a broken link, a link to something
  already listed, a link loop), so that nothing in the folder goes unmentioned.

Symbolic links are followed, to folders as well as to files, with cycle
protection: a folder (or file) reached a second time, under another name, is
listed as ignored instead of being landed twice; real folders and files win
over links to them. A file whose name is not valid UTF-8 is `Found` with
`bad_name` set and an escaped relative path (`caf\\xe9.json`): `loading`
rejects it in one line and lands the others.

`content_sha256()` is the version fingerprint of a file: its bytes, and for a
SQLite database in WAL mode also its `-wal` file, which holds committed
changes SQLite reads but the main file does not show yet.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from python_loaders.ingestion.sources import SOURCES, Source
from python_loaders.source_layout import is_crm_side_file


@dataclass(frozen=True)
class Found:
    """A source file: its relative posix path, its source, and where it is."""

    rel: str
    source: Source
    path: Path
    bad_name: bool = False


@dataclass(frozen=True)
class Ignored:
    """An entry of the source dir that is not landed, and why."""

    rel: str
    why: str


@dataclass
class Listing:
    """Every entry of a source dir: source files (sorted by path) and ignored entries."""

    files: list[Found] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)


def printable(name: str) -> str:
    """A file name as valid UTF-8 text: undecodable bytes shown as `\\xNN`."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _identity(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _real_entries(source_dir: Path) -> dict[tuple[int, int], str]:
    """(device, inode) -> relative path of every real (not linked) folder and file."""
    found: dict[tuple[int, int], str] = {_identity(source_dir.stat()): ""}
    for root, dirs, files in os.walk(source_dir, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # hidden: never listed inside
        for name in (*dirs, *files):
            path = Path(root) / name
            try:
                st = path.lstat()
            except OSError:
                continue
            if not stat.S_ISLNK(st.st_mode):
                found.setdefault(_identity(st), path.relative_to(source_dir).as_posix())
    return found


def _file_reason(rel: str, st: os.stat_result | None) -> str | None:
    """Why a non-hidden file entry is not a source file, or None when it is one."""
    if st is None:
        return "broken symbolic link"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if is_crm_side_file(rel):
        return "SQLite side file, read together with its database"
    return None


def _source_of(rel: str) -> Source | None:
    return next((s for s in SOURCES if s.matches(rel)), None)


def discover(source_dir: Path) -> Listing:
    """List every entry of `source_dir` (see the module docstring)."""
    listing = Listing()
    real = _real_entries(source_dir)
    visited: dict[tuple[int, int], str] = {}  # folder -> the name it was listed under

    def walk(folder: Path, prefix: str, bad_parent: bool) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            listing.ignored.append(Ignored(prefix or ".", f"cannot list: {error.strerror}"))
            return
        for entry in entries:
            rel = f"{prefix}{printable(entry.name)}"
            bad = bad_parent or not _is_utf8(entry.name)
            if entry.name.startswith("."):
                folder_like = entry.is_dir()
                listing.ignored.append(
                    Ignored(
                        rel + "/" if folder_like else rel,
                        "hidden " + ("folder" if folder_like else "file"),
                    )
                )
                continue
            link = entry.is_symlink()
            try:
                st: os.stat_result | None = entry.stat(follow_symlinks=True)
            except OSError:
                st = None
            if st is not None and stat.S_ISDIR(st.st_mode):
                identity = _identity(st)
                if identity in visited or (link and identity in real):
                    seen = real.get(identity, visited.get(identity))
                    why = f"symbolic link to folder {seen or '.'}, listed under that name"
                    if rel.startswith(f"{seen}/") or not seen:
                        why += " (a link loop)"
                    listing.ignored.append(Ignored(rel + "/", why))
                    continue
                visited[identity] = rel
                walk(Path(entry.path), rel + "/", bad)
                continue
            if link and st is not None and _identity(st) in real:
                listing.ignored.append(
                    Ignored(rel, f"symbolic link to {real[_identity(st)]}, listed under that name")
                )
                continue
            reason = _file_reason(rel, st)
            source = _source_of(rel)
            if reason is None and source is None:
                reason = "not a source file name"
            if reason is not None:
                listing.ignored.append(Ignored(rel, reason))
                continue
            assert source is not None
            listing.files.append(Found(rel, source, Path(entry.path), bad_name=bad))

    visited[_identity(source_dir.stat())] = ""
    walk(source_dir, "", False)
    listing.files.sort(key=lambda f: f.rel)
    return listing


def content_sha256(path: Path) -> str:
    """sha256 of the file; for a `.db` file with a `-wal` beside it, of both files' hashes."""
    wal = path.with_name(path.name + "-wal")
    if not (path.name.endswith(".db") and wal.is_file()):
        return _file_sha256(path).hexdigest()
    return hashlib.sha256(_file_sha256(path).digest() + _file_sha256(wal).digest()).hexdigest()


def _file_sha256(path: Path) -> hashlib._Hash:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256")
