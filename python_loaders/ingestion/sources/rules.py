"""The plausibility rules raw columns share (the table in docs/raw_tables.md lists them all).

Each is a `Rule`: SQL over the column's parsed value, true when plausible,
and the reason a row that breaks it is rejected with. Bounds are wide enough
for every real and generated file and narrow enough that a value staging
would choke on (or turn into a 2,000-year date range) never lands.
"""

from __future__ import annotations

from python_loaders.ingestion.spec import Rule

#: Event dates (streams, signups, last streams, billing) must fall in this range.
FIRST_DATE = "1990-01-01"
LAST_DATE = "2099-12-31"
#: Largest id: every whole number up to it is exact as a double (billing's ids are floats).
MAX_ID = 2**53 - 1
#: Largest absolute price of one invoice line (the real maximum is 17,836.46;
#: adjustment lines reach a few hundred thousand); staging casts to decimal(18, 2).
MAX_ABS_PRICE = 100_000_000
#: Largest times_viewed of one invoice line (the real maximum is 24).
MAX_TIMES_VIEWED = 1_000_000


def id_rule(column: str) -> Rule:
    """A non-negative whole number id, at most MAX_ID (also for ids written `13.0`)."""
    return Rule(
        f"{{value}} >= 0 and {{value}} <= {MAX_ID} and {{value}} = trunc({{value}})",
        f"{column} is not a whole number id between 0 and {MAX_ID:,}",
    )


def date_rule(column: str) -> Rule:
    """A date within FIRST_DATE .. LAST_DATE."""
    return Rule(
        f"{{value}} between date '{FIRST_DATE}' and date '{LAST_DATE}'",
        f"{column} is outside {FIRST_DATE} .. {LAST_DATE}",
    )


def digits_rule(column: str, digits: str, words: str) -> Rule:
    """Text of only ASCII digits, `digits` a regex repeat such as `{1,2}` (`words` says it)."""
    return Rule(f"regexp_full_match({{value}}, '[0-9]{digits}')", f"{column} is not {words}")


YEAR = Rule(
    "regexp_full_match({value}, '[0-9]{4}')"
    f" and try_cast({{value}} as integer) between {FIRST_DATE[:4]} and {LAST_DATE[:4]}",
    f"year is not a 4-digit year in {FIRST_DATE[:4]} .. {LAST_DATE[:4]}",
)
# stg_billing__invoice_lines: invoice_id = the invoice's digits cast to bigint.
INVOICE_CODE = Rule(
    # 1 to 18 digits among any other characters (one regular expression, no rewrite)
    "regexp_full_match({value}, '[^0-9]*([0-9][^0-9]*){1,18}')",
    "invoice has no digits or more than 18 (its digits are the invoice id, e.g. C489449)",
)
PRICE = Rule(
    f"abs({{value}}) <= {MAX_ABS_PRICE}",
    f"price is outside -{MAX_ABS_PRICE:,} .. {MAX_ABS_PRICE:,}",
)
TIMES_VIEWED = Rule(
    f"{{value}} between 0 and {MAX_TIMES_VIEWED}",
    f"times_viewed is outside 0 .. {MAX_TIMES_VIEWED:,}",
)
FLAG = Rule("{value} in (0, 1)", "subscription_stopped is not 0 or 1")
MM_DD_YY = Rule(
    "regexp_full_match({value}, '\\s*[0-9]{2}/[0-9]{2}/[0-9]{2}\\s*')",
    "dob is not written MM/DD/YY",
)
