"""The two alternatives the pipeline is compared with, each runnable as its own process.

- `pandas_pipeline`: what a competent data scientist writes in a notebook.
- `floor`: one hand-written DuckDB query over the files (`floor.sql`), no pipeline.
- `read_json_ceiling`: DuckDB's bare `read_json` of the invoice files into a table,
  the ceiling for landing.

Each writes the same table shape (see `benchmarks.agreement.OUTPUT_COLUMNS`).
"""
