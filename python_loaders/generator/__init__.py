"""Synthetic AAVAIL sources shaped (and dirtied) like the real reference files.

``generate_sources(out_dir, seed=..., customers=..., invoice_lines=...)`` writes
``aavail-customers.db`` (CRM, SQLite), ``aavail-streams.csv`` (stream events)
and ``invoices/invoices-YYYY-MM.json`` (billing, 2017-11 .. 2019-12).
"""

from python_loaders.generator.sources import GenerationSummary, generate_sources

__all__ = ["GenerationSummary", "generate_sources"]
