# Everything a user or CI runs goes through these targets; each one does its own set-up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup system-packages run test lint lint-python lint-dbt format bench bench-spark docs-serve mf sql clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## setup: create .venv with the exact pinned versions of requirements.lock
setup: $(STAMP)

## system-packages: Debian packages the tests need (chromium, a JRE for Spark); installs them as root
system-packages:
	bash scripts/install_system_packages.sh

## run: the main job: generate sample sources if needed, load, dbt build, dbt docs generate
run: setup
	$(BIN)/python -m python_loaders run

## test: ruff, then the whole pytest suite (sqlfluff and dbt build on throwaway warehouses included)
test: setup system-packages lint-python
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## lint: ruff on Python, sqlfluff (dialect duckdb, dbt templater) on every SQL file dbt owns
lint: lint-python
	mkdir -p data/lint
	AAVAIL_WAREHOUSE=data/lint/warehouse.duckdb $(BIN)/sqlfluff lint models tests/dbt/singular analyses snapshots --disable-progress-bar --nocolor
	$(MAKE) --no-print-directory lint-dbt

## lint-dbt: dbt-score with the project's conventions (pyproject.toml [tool.dbt-score], dbt_score_rules/)
lint-dbt: setup
	mkdir -p data/lint
	AAVAIL_WAREHOUSE=data/lint/warehouse.duckdb DBT_TARGET_PATH=data/lint/target DBT_LOG_PATH=data/lint/logs $(BIN)/dbt parse --quiet
	$(BIN)/dbt-score lint --manifest data/lint/target/manifest.json

lint-python: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	mkdir -p data/lint
	AAVAIL_WAREHOUSE=data/lint/warehouse.duckdb $(BIN)/sqlfluff fix models tests/dbt/singular analyses snapshots --disable-progress-bar

## bench: the benchmark, DuckDB and Spark local mode (about 35-40 min at the default sizes)
## quick check: make bench SIZES=20000,50000 RUNS=1 BENCH_ARGS="--results-dir /tmp/bench --no-readme"
bench: setup system-packages
	$(BIN)/python -m benchmarks.run $(if $(SIZES),--sizes $(SIZES)) $(if $(RUNS),--runs $(RUNS)) $(BENCH_ARGS)

## bench-spark: alias of bench (Spark local mode is part of it)
bench-spark: bench

## mf: MetricFlow on the published copy (dbt target analytics), e.g. make mf ARGS="list metrics"
mf: setup
	AAVAIL_DBT_TARGET=analytics $(BIN)/mf $(ARGS)

## sql: interactive SQL console, read-only on the published warehouse (data/analytics.duckdb)
sql: setup
	$(BIN)/python -m python_loaders sql $(if $(ANALYTICS),--analytics $(ANALYTICS))

## docs-serve: browse the dbt docs site of the last run on http://localhost:8080
docs-serve: setup
	$(BIN)/dbt docs serve --port 8080

clean:
	rm -rf target logs data
