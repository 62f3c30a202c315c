"""Same seed and sizes give byte-identical files; another seed gives other files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from python_loaders.generator import generate_sources


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_identical_bytes(tmp_path: Path):
    first, second = tmp_path / "a", tmp_path / "b"
    generate_sources(first, seed=11, customers=150, invoice_lines=15_000, quiet=True)
    generate_sources(second, seed=11, customers=150, invoice_lines=15_000, quiet=True)
    digests = _digests(first)
    assert len(digests) == 28  # db, csv, 26 monthly invoice files
    assert digests == _digests(second)


def test_regenerating_into_the_same_folder_gives_identical_bytes(tmp_path: Path):
    generate_sources(tmp_path, seed=3, customers=50, invoice_lines=2_000, quiet=True)
    before = _digests(tmp_path)
    generate_sources(tmp_path, seed=3, customers=50, invoice_lines=2_000, quiet=True)
    assert _digests(tmp_path) == before


def test_other_seed_gives_other_files(tmp_path: Path):
    generate_sources(tmp_path / "a", seed=11, customers=150, invoice_lines=15_000, quiet=True)
    generate_sources(tmp_path / "b", seed=12, customers=150, invoice_lines=15_000, quiet=True)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert all(first[name] != second[name] for name in first)
