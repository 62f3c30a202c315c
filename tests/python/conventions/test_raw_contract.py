"""The raw-table contract agrees everywhere it is written: loader specs, dbt sources, warehouse.

The loader's table specs (`python_loaders.ingestion.sources`) are the contract:
columns, raw types and required fields. The dbt sources YAML declares the
same tables for dbt, and the session build (`built_warehouse`: a real load of
generated sources, `dbt build`, `dbt docs generate`) shows what landed. Each
check is a plain function returning the problems it finds, applied to the real
artifacts and, on small hand-made ones, shown to find each kind of problem.
"""

from __future__ import annotations

import re

import yaml

from python_loaders.ingestion.sources import SOURCES
from python_loaders.ingestion.spec import META_COLUMNS, Column, TableSpec

PROJECT = "aavail"
RAW_META = "raw_meta"
SPECS: tuple[TableSpec, ...] = tuple(spec for source in SOURCES for spec in source.tables)
_TESTED_SOURCE = re.compile(r"get_where_subquery\(source\('(\w+)', '(\w+)'\)\)")


def _raw_sources(manifest: dict) -> dict[str, dict]:
    """The project's sources holding landed raw tables (not raw_meta), by `schema.table`."""
    return {
        f"{source['schema']}.{source['name']}": source
        for source in manifest["sources"].values()
        if source["package_name"] == PROJECT and source["source_name"] != RAW_META
    }


def _tests_by_source_column(manifest: dict, test_name: str) -> dict[tuple[str, str], list[dict]]:
    """The generic tests `test_name` on source columns, by (source unique_id, column)."""
    found: dict[tuple[str, str], list[dict]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        tested = _TESTED_SOURCE.search(str(metadata.get("kwargs", {}).get("model", "")))
        if metadata.get("name") != test_name or tested is None or not node.get("column_name"):
            continue
        unique_id = f"source.{PROJECT}.{tested.group(1)}.{tested.group(2)}"
        found.setdefault((unique_id, node["column_name"].lower()), []).append(node)
    return found


def spec_source_mismatches(specs: tuple[TableSpec, ...], manifest: dict) -> list[str]:
    """Raw tables the loader writes but dbt does not declare, and the other way round."""
    declared = set(_raw_sources(manifest))
    written = {spec.label for spec in specs}
    return [
        f"{label}: landed by the loader, not a dbt source" for label in sorted(written - declared)
    ] + [f"{label}: a dbt source no loader spec writes" for label in sorted(declared - written)]


def required_not_null_mismatches(specs: tuple[TableSpec, ...], manifest: dict) -> list[str]:
    """A required column without a `not_null` source test, or a `not_null` test on a column
    the loader lets be NULL (the build would fail on rows the loader accepts)."""
    sources = _raw_sources(manifest)
    not_null = _tests_by_source_column(manifest, "not_null")
    problems = []
    for spec in specs:
        source = sources.get(spec.label)
        if source is None:
            continue
        for column in spec.columns:
            tested = (source["unique_id"], column.name) in not_null
            if column.required and not tested:
                problems.append(f"{spec.label}.{column.name}: required, but no not_null test")
            if tested and not column.required:
                problems.append(f"{spec.label}.{column.name}: not_null test, but not required")
    return problems


def load_id_relationship_gaps(manifest: dict) -> list[str]:
    """Raw tables whose `_load_id` is not tested `not_null` and against raw_meta.loads."""
    loads = f"source.{PROJECT}.{RAW_META}.loads"
    relationships = _tests_by_source_column(manifest, "relationships")
    not_null = _tests_by_source_column(manifest, "not_null")
    problems = []
    for label, source in sorted(_raw_sources(manifest).items()):
        key = (source["unique_id"], "_load_id")
        targets = [
            (test["test_metadata"]["kwargs"].get("field"), test["depends_on"]["nodes"])
            for test in relationships.get(key, [])
        ]
        if not any(field == "load_id" and loads in nodes for field, nodes in targets):
            problems.append(f"{label}._load_id: no relationships test to {RAW_META}.loads.load_id")
        if key not in not_null:
            problems.append(f"{label}._load_id: no not_null test")
    return problems


def _expected_types(spec: TableSpec) -> dict[str, str]:
    columns: list[Column | tuple[str, str]] = [*spec.columns, *META_COLUMNS]
    return {
        (c.name if isinstance(c, Column) else c[0]): (c.type if isinstance(c, Column) else c[1])
        for c in columns
    }


def landed_type_mismatches(
    specs: tuple[TableSpec, ...], manifest: dict, catalog: dict
) -> list[str]:
    """Columns whose landed type (catalog.json of a real load) differs from the spec's, and
    columns landed or specified on one side only."""
    sources = _raw_sources(manifest)
    problems = []
    for spec in specs:
        source = sources.get(spec.label)
        built = catalog["sources"].get(source["unique_id"]) if source else None
        if built is None:
            problems.append(f"{spec.label}: not in the catalog (not landed or not declared)")
            continue
        landed = {name.lower(): column["type"].upper() for name, column in built["columns"].items()}
        expected = _expected_types(spec)
        for name in sorted(set(landed) | set(expected)):
            found, specified = landed.get(name), expected.get(name)
            if found != specified:
                problems.append(f"{spec.label}.{name}: landed as {found}, specified {specified}")
    return problems


def declared_but_not_built(manifest: dict, catalog: dict) -> list[str]:
    """Source columns declared in YAML that the warehouse does not have (a stale entry)."""
    problems = []
    for unique_id, source in manifest["sources"].items():
        built = catalog["sources"].get(unique_id)
        if source["package_name"] != PROJECT:
            continue
        if built is None:
            problems.append(f"{unique_id}: declared but not in the warehouse")
            continue
        landed = {name.lower() for name in built["columns"]}
        problems += [
            f"{unique_id}: column {name} is declared but not in the warehouse"
            for name in sorted({name.lower() for name in source["columns"]} - landed)
        ]
    return problems


#: The landing-metadata columns (raw and staged forms), each described by a doc block of
#: models/staging/_landing_metadata.md wherever it appears (raw_meta's own columns aside).
RAW_META_COLUMNS = {name for name, _ in META_COLUMNS}
STAGED_META_COLUMNS = {"load_id", "source_file", "loaded_at", "extra_fields", "num_landed_copies"}
LANDING_BLOCKS = "models/staging/_landing_metadata.md"


def landing_metadata_description_gaps(manifest: dict) -> list[str]:
    """Landing-metadata columns not described by their doc block: a raw `_x` column by
    block `raw_x`; a staged column by any block of the landing-metadata file."""
    blocks = {
        doc["name"]: doc["block_contents"]
        for doc in manifest["docs"].values()
        if doc["package_name"] == PROJECT and doc["original_file_path"].endswith(LANDING_BLOCKS)
    }
    texts = set(blocks.values())
    resources = [*manifest["nodes"].values(), *manifest["sources"].values()]
    problems = []
    for node in resources:
        if node.get("package_name") != PROJECT or node.get("source_name") == RAW_META:
            continue
        for name, column in node.get("columns", {}).items():
            description = column.get("description") or ""
            if name in RAW_META_COLUMNS and description != blocks.get("raw" + name):
                problems.append(f"{node['unique_id']}.{name}: not doc('raw{name}')")
            if name in STAGED_META_COLUMNS and description not in texts:
                problems.append(f"{node['unique_id']}.{name}: not a doc block of {LANDING_BLOCKS}")
    return problems


# --- on the real build ------------------------------------------------------------------------


def test_every_raw_table_the_loader_writes_is_a_dbt_source(built_warehouse):
    assert spec_source_mismatches(SPECS, built_warehouse.manifest) == []


def test_required_columns_are_exactly_the_not_null_tested_ones(built_warehouse):
    assert required_not_null_mismatches(SPECS, built_warehouse.manifest) == []


def test_every_raw_tables_load_id_is_tested_against_raw_meta_loads(built_warehouse):
    assert load_id_relationship_gaps(built_warehouse.manifest) == []


def test_landed_types_are_the_specs_types(built_warehouse):
    assert landed_type_mismatches(SPECS, built_warehouse.manifest, built_warehouse.catalog) == []


def test_every_declared_source_column_exists_in_the_warehouse(built_warehouse):
    # the other direction (every landed column declared and described) is
    # tests/python/dbt/test_manifest_coverage.py
    assert declared_but_not_built(built_warehouse.manifest, built_warehouse.catalog) == []


def test_every_source_names_its_loader(built_warehouse):
    loaders = {
        source["unique_id"]: source["loader"]
        for source in built_warehouse.manifest["sources"].values()
        if source["package_name"] == PROJECT
    }
    assert {RAW_META} | {spec.schema.removeprefix("raw_") for spec in SPECS} <= {
        unique_id.split(".")[2] for unique_id in loaders
    }
    assert {
        unique_id for unique_id, loader in loaders.items() if loader != "python_loaders"
    } == set()


def test_freshness_is_defined_once_for_every_raw_table_and_not_for_raw_meta(
    built_warehouse, project_dir
):
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    defined = project["sources"][PROJECT]["+freshness"]
    for label, source in _raw_sources(built_warehouse.manifest).items():
        assert source["loaded_at_field"] == "_loaded_at", label
        criteria = {k: source["freshness"][k] for k in ("warn_after", "error_after")}
        assert criteria == {k: defined[k] for k in ("warn_after", "error_after")}, label
    for source in built_warehouse.manifest["sources"].values():
        if source["source_name"] == RAW_META:
            assert source["freshness"] is None or not any(
                (source["freshness"].get(k) or {}).get("count")
                for k in ("warn_after", "error_after")
            ), source["unique_id"]
    # the thresholds are written in dbt_project.yml only, and no test re-checks the age
    for path in (project_dir / "models").rglob("*.yml"):
        text = path.read_text()
        assert "warn_after" not in text and "error_after" not in text, path
    tests = {n["test_metadata"]["name"] for n in built_warehouse.manifest["nodes"].values()
             if n.get("test_metadata")}  # fmt: skip
    assert "recency" not in tests


def test_loaded_at_is_the_start_of_the_files_landing_transaction(built_warehouse):
    """`_loaded_at` is `now()` of the file's landing transaction: one value per file, equal
    to raw_meta.files.landed_at (written in the same transaction), inside its load run."""
    for spec in SPECS:
        rows = built_warehouse.query(
            f"select r._source_file, count(distinct r._loaded_at), min(r._loaded_at),"
            f" any_value(f.landed_at), any_value(l.started_at), any_value(l.finished_at)"
            f" from {spec.qualified} as r"
            f" join raw_meta.files as f on f.file_path = r._source_file"
            f" join raw_meta.loads as l on l.load_id = r._load_id"
            f" group by r._source_file"
        )
        assert rows, spec.label
        for source_file, distinct, loaded_at, landed_at, started_at, finished_at in rows:
            assert distinct == 1, (spec.label, source_file)
            assert loaded_at == landed_at, (spec.label, source_file)
            assert started_at <= loaded_at <= finished_at, (spec.label, source_file)


def test_landing_metadata_columns_are_described_by_their_doc_blocks_everywhere(built_warehouse):
    assert landing_metadata_description_gaps(built_warehouse.manifest) == []


# --- each check finds its kind of problem ---------------------------------------------------


def _source(schema: str, name: str, columns: tuple[str, ...]) -> dict:
    source_name = schema.removeprefix("raw_")
    return {
        "unique_id": f"source.{PROJECT}.{source_name}.{name}",
        "package_name": PROJECT,
        "source_name": source_name,
        "schema": schema,
        "name": name,
        "loader": "python_loaders",
        "columns": {c: {"name": c} for c in columns},
    }


def _test(name: str, source: dict, column: str, **kwargs: str) -> dict:
    model = f"{{{{ get_where_subquery(source('{source['source_name']}', '{source['name']}')) }}}}"
    nodes = [source["unique_id"]]
    if name == "relationships":
        nodes.append(f"source.{PROJECT}.{RAW_META}.loads")
    return {
        "resource_type": "test",
        "column_name": column,
        "test_metadata": {"name": name, "kwargs": {"model": model, **kwargs}},
        "depends_on": {"nodes": nodes},
    }


SPEC = TableSpec("raw_x", "t", (Column("id", "BIGINT", required=True), Column("note")))


def _manifest(*tests: dict, columns: tuple[str, ...] = ("id", "note", "_load_id")) -> dict:
    source = _source("raw_x", "t", columns)
    return {
        "sources": {source["unique_id"]: source},
        "nodes": {f"test.{PROJECT}.t{i}": test for i, test in enumerate(tests)},
    }


def test_the_checks_find_missing_and_unexpected_not_null_tests():
    source = _source("raw_x", "t", ())
    assert required_not_null_mismatches((SPEC,), _manifest(_test("not_null", source, "id"))) == []
    assert required_not_null_mismatches((SPEC,), _manifest(_test("not_null", source, "note"))) == [
        "raw_x.t.id: required, but no not_null test",
        "raw_x.t.note: not_null test, but not required",
    ]


def test_the_checks_find_undeclared_tables_and_untested_load_ids():
    source = _source("raw_x", "t", ())
    other = TableSpec("raw_x", "u", (Column("id"),))
    assert spec_source_mismatches((SPEC, other), _manifest()) == [
        "raw_x.u: landed by the loader, not a dbt source"
    ]
    assert spec_source_mismatches((), _manifest()) == [
        "raw_x.t: a dbt source no loader spec writes"
    ]
    tested = _manifest(
        _test("not_null", source, "_load_id"),
        _test("relationships", source, "_load_id", field="load_id"),
    )
    assert load_id_relationship_gaps(tested) == []
    assert load_id_relationship_gaps(_manifest(_test("not_null", source, "_load_id"))) == [
        "raw_x.t._load_id: no relationships test to raw_meta.loads.load_id"
    ]


def test_the_checks_find_wrong_missing_and_stale_columns():
    manifest = _manifest(columns=("id", "gone"))
    unique_id = next(iter(manifest["sources"]))
    landed = {"id": {"type": "VARCHAR"}, "note": {"type": "VARCHAR"}}
    landed |= {name: {"type": raw_type} for name, raw_type in META_COLUMNS if name != "_loaded_at"}
    catalog = {"sources": {unique_id: {"columns": landed}}}
    assert landed_type_mismatches((SPEC,), manifest, catalog) == [
        "raw_x.t._loaded_at: landed as None, specified TIMESTAMP",
        "raw_x.t.id: landed as VARCHAR, specified BIGINT",
    ]
    assert declared_but_not_built(manifest, catalog) == [
        f"{unique_id}: column gone is declared but not in the warehouse"
    ]
    assert declared_but_not_built(manifest, {"sources": {}}) == [
        f"{unique_id}: declared but not in the warehouse"
    ]


def test_the_check_finds_landing_metadata_described_in_other_words():
    block = {"package_name": PROJECT, "original_file_path": LANDING_BLOCKS}
    source = _source("raw_x", "t", ("_load_id",))
    model = {
        "unique_id": f"model.{PROJECT}.stg_x",
        "package_name": PROJECT,
        "resource_type": "model",
        "columns": {"load_id": {"description": "Newest load run."}},
    }
    manifest = {
        "docs": {
            "doc.aavail.raw_load_id": {**block, "name": "raw_load_id", "block_contents": "Run."},
            "doc.aavail.staged_load_id": {
                **block,
                "name": "staged_load_id",
                "block_contents": "N.",
            },
        },
        "sources": {source["unique_id"]: source},
        "nodes": {model["unique_id"]: model},
    }
    source["columns"]["_load_id"]["description"] = "The run that landed the row."
    assert landing_metadata_description_gaps(manifest) == [
        "model.aavail.stg_x.load_id: not a doc block of models/staging/_landing_metadata.md",
        "source.aavail.x.t._load_id: not doc('raw_load_id')",
    ]
    source["columns"]["_load_id"]["description"] = "Run."
    model["columns"]["load_id"]["description"] = "N."
    assert landing_metadata_description_gaps(manifest) == []
