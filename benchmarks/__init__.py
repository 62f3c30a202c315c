"""Reproducible benchmark: the AAVAIL pipeline against pandas and a bare DuckDB query.

Run it with `make bench` or `python -m benchmarks.run --help`; results go to
benchmarks/results/ and the table in benchmarks/README.md.
"""
