"""Rule filters the configuration attaches to built-in rules (pyproject.toml [tool.dbt-score])."""

import re

from dbt_score import Macro, rule_filter

# `<adapter>__<macro>` is an adapter implementation behind `adapter.dispatch`
# (`default__days_between`, `spark__days_between`): the entry point carries the docs.
DISPATCH_IMPLEMENTATION = re.compile(r"[a-z0-9]+__[a-z0-9_]+")


@rule_filter
def is_macro_entry_point(macro: Macro) -> bool:
    """Macros callers use, not the per-adapter implementations they dispatch to."""
    return not DISPATCH_IMPLEMENTATION.fullmatch(macro.name)
