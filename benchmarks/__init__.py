"""Reproducible benchmark: the AAVAIL pipeline against pandas, a bare DuckDB query and Spark.

Run it with `make bench` or `python -m benchmarks.run --help`; results go to
benchmarks/results/, and `benchmarks.report` renders every performance table the
project quotes (benchmarks/README.md, README.md) from them.
"""
