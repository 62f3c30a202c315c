"""python_loaders' sub-packages import only in the allowed direction (python_loaders/README.md).

Every `import` / `from ... import` in every module of the package, at module
level or inside a function (the CLI and the job import lazily), relative or
absolute, is resolved to the part of the package it names; an import a part
is not allowed to make fails, naming the file, the line and the imported module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import python_loaders

PACKAGE = "python_loaders"
PACKAGE_DIR = Path(python_loaders.__file__).resolve().parent

# part -> the parts it may import (itself always allowed). A new sub-package or
# top-level module must be added here, with its direction, before it can exist.
ALLOWED: dict[str, frozenset[str]] = {
    "__init__": frozenset(),
    "source_layout": frozenset(),
    "common": frozenset(),
    "generator": frozenset({"common", "source_layout"}),
    "ingestion": frozenset({"common", "source_layout"}),
    "publishing": frozenset({"common"}),
    "job": frozenset({"common", "source_layout", "generator", "ingestion", "publishing"}),
    "cli": frozenset({"common", "source_layout", "generator", "ingestion", "publishing", "job"}),
    "__main__": frozenset({"cli"}),
}


def module_name(path: Path) -> str:
    """`python_loaders.ingestion.loading` for python_loaders/ingestion/loading.py."""
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1 and path.parent != PACKAGE_DIR:
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    """The role a `python_loaders...` module belongs to: its sub-package or top-level module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(source: str, importer: str, *, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) of every python_loaders module `source` imports, anywhere in it."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = importer.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            # `from python_loaders.x import y`: y may be a module of x (or a name in it).
            found.append((node.lineno, target))
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    inside = [(line, name) for line, name in found if name.split(".")[0] == PACKAGE]
    return [(line, name) for line, name in inside if _exists(name)]


def _exists(module: str) -> bool:
    """True when `module` names a module or package of python_loaders (not a function in one)."""
    relative = Path(*module.split(".")[1:]) if "." in module else Path()
    folder = PACKAGE_DIR / relative
    return folder.with_suffix(".py").is_file() or (folder / "__init__.py").is_file()


def _package_files() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_import_finder_sees_lazy_relative_and_from_package_imports():
    source = (
        "from python_loaders.common import errors\n"
        "def f():\n"
        "    from python_loaders.job.pipeline import run_main_job\n"
        "    from .landing import TableSpec\n"
        "    from . import audit\n"
        "import python_loaders.publishing.publish as pub\n"
    )
    found = imported_modules(source, "python_loaders.ingestion.readers", is_package=False)
    names = {name for _, name in found}
    assert {
        "python_loaders.common.errors",
        "python_loaders.job.pipeline",
        "python_loaders.ingestion.landing",
        "python_loaders.ingestion.audit",
        "python_loaders.publishing.publish",
    } <= names
    assert "python_loaders.job.pipeline.run_main_job" not in names  # a function, not a module
    assert (3, "python_loaders.job.pipeline") in found


def test_every_module_belongs_to_a_part_with_declared_directions():
    unknown = sorted(
        {part_of(module_name(p)) for p in _package_files()} - set(ALLOWED),
    )
    assert not unknown, f"python_loaders parts without import rules in ALLOWED: {unknown}"


@pytest.mark.parametrize("path", _package_files(), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_imports_flow_only_in_the_allowed_direction(path: Path):
    importer = module_name(path)
    part = part_of(importer)
    allowed = ALLOWED.get(part, frozenset()) | {part, "__init__"}  # __init__: only __version__
    wrong = [
        f"{path.relative_to(PACKAGE_DIR.parent)}:{line}: {part} imports {name}"
        for line, name in imported_modules(
            path.read_text(), importer, is_package=path.name == "__init__.py"
        )
        if part_of(name) not in allowed
    ]
    assert not wrong, "imports against the layer direction:\n" + "\n".join(wrong)
