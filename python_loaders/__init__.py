"""AAVAIL warehouse: generator, ingestion, job, publishing, common (python_loaders/README.md)."""

__all__ = ["__version__"]
__version__ = "0.1.0"
