"""For readers: the published analytics copy, its charts, the SQL console.

Imports python_loaders.common only.
"""
