"""Shared by every role: errors, file modes, default paths, the warehouse lock, child processes.

Imports nothing else of python_loaders (only python_loaders.common).
"""
