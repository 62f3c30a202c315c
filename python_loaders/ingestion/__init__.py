"""Ingestion: find, read and land source files exactly once in raw_* (+ raw_meta); Parquet export.

Imports python_loaders.common and python_loaders.source_layout only.
"""
