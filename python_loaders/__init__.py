"""AAVAIL warehouse ingestion: synthetic source generator, exactly-once loaders, main job."""

__all__ = ["__version__"]
__version__ = "0.1.0"
