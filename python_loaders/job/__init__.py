"""The main job (`run`): load, dbt steps, publish, charts, docs; and dbt's lock plugin.

May import every other sub-package.
"""
