"""docs/raw_tables.md's tables are generated (python_loaders.ingestion.raw_tables_doc).

The committed file must equal what the generator writes from the loader's
specs, the landing-metadata doc blocks and the raw_meta sources YAML; the
check must notice a hand edit; and what it writes must cover every raw table,
column and landing-metadata column (so a section cannot silently drop one).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from python_loaders.ingestion import raw_tables_doc
from python_loaders.ingestion.sources import SOURCES
from python_loaders.ingestion.spec import META_COLUMNS

DOC = raw_tables_doc.PROJECT_DIR / raw_tables_doc.DOC_PATH


def _check(doc: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "python_loaders.ingestion.raw_tables_doc",
            "--check",
            "--doc",
            str(doc),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_committed_doc_is_the_generated_one():
    text = DOC.read_text(encoding="utf-8")
    assert raw_tables_doc.render(text) == text, (
        "docs/raw_tables.md is out of date: run .venv/bin/python -m"
        " python_loaders.ingestion.raw_tables_doc"
    )
    done = _check(DOC)
    assert done.returncode == 0, done.stderr


def test_the_check_fails_in_one_line_on_a_hand_edited_table(tmp_path: Path):
    text = DOC.read_text(encoding="utf-8")
    edited = tmp_path / "raw_tables.md"
    edited.write_text(
        text.replace("| `customer_id` | BIGINT | yes |", "| `customer_id` | BIGINT | |", 1)
    )
    assert edited.read_text() != text
    done = _check(edited)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "out of date" in done.stderr
    assert edited.read_text() != text  # --check never writes


def test_a_missing_or_unknown_section_is_an_error():
    text = DOC.read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="missing"):
        raw_tables_doc.render(text.replace("<!-- generated: raw_meta -->", "", 1))
    with pytest.raises(ValueError, match="unknown"):
        raw_tables_doc.render(text + "\n<!-- generated: nope -->\n<!-- end generated: nope -->\n")


def test_the_generated_tables_cover_every_raw_table_and_column():
    text = DOC.read_text(encoding="utf-8")
    for source in SOURCES:
        for spec in source.tables:
            section = raw_tables_doc.source_tables(spec.schema)
            assert section in text
            table = section.split(f"`{spec.label}`:")[1].split("\n\n`raw_")[0]
            for column in spec.columns:
                row = next(
                    line for line in table.splitlines() if line.startswith(f"| `{column.name}` |")
                )
                assert f"| {column.type} | {'yes' if column.required else ''} |" in row, row
    meta = raw_tables_doc.landing_metadata_table()
    for name, raw_type in META_COLUMNS:
        assert f"| `{name}` | {raw_type} |" in meta
