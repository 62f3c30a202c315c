"""Billing invoice lines: one JSON array file per month, ``invoices/invoices-YYYY-MM.json``.

Lines are spread over the days by the weights of ``timeline`` (multinomial, so
the total is exactly the requested number), grouped into invoices (about 25
lines each, never spanning days), and each invoice gets a customer (or null),
a country and sometimes a letter prefix. Every month is generated as a few
numpy arrays and written in chunks straight from Arrow string buffers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from python_loaders.generator import catalog, timeline
from python_loaders.generator.crm import Customers
from python_loaders.generator.text import (
    cents_text,
    float_int_text,
    int_text,
    join_row,
    pick,
    write_array,
)

FIRST_INVOICE_NUMBER = 489434
MEAN_LINES_PER_INVOICE = 25.0
NULL_CUSTOMER_SHARE = 0.30
CANCELLATION_SHARE = 0.015
NON_PRODUCT_SHARE = 0.0025
ZERO_PRICE_SHARE = 0.003
DUPLICATE_LINE_SHARE = 0.01
LOWER_CASE_SHARE = 0.03
PRODUCT_COUNT = 3000
SUFFIX_SHARE = 0.10
LINES_PER_CHUNK = 200_000
ROLL_CALL_PER_MONTH = 2

NO_PREFIX, CANCELLATION, ADJUSTMENT = 0, 1, 2
PREFIXES = pa.array(["", catalog.CANCELLATION_PREFIX, catalog.ADJUSTMENT_PREFIX])
DAY_TEXT = pa.array([f"{day:02d}" for day in range(32)])


def field_names(month_index: int) -> tuple[str, str, str]:
    """The (price, stream id, times viewed) keys a month's file uses: they drift over time."""
    if month_index < 9:  # 2017-11 .. 2018-07
        return "price", "stream_id", "times_viewed"
    if month_index < 14:  # 2018-08 .. 2018-12
        return "price", "StreamID", "TimesViewed"
    if month_index < 20:  # 2019-01 .. 2019-06
        return "total_price", "StreamID", "TimesViewed"
    return "total_price", "stream_id", "times_viewed"  # 2019-07 .. 2019-12


@dataclass(frozen=True)
class Products:
    """The product catalogue: stream codes (upper and lower case), popularity, price."""

    codes: pa.Array
    lower_codes: pa.Array
    has_suffix: np.ndarray
    popularity: np.ndarray  # probabilities
    price_cents: np.ndarray


def build_products(rng: np.random.Generator) -> Products:
    """Five-digit product codes, some with letter suffixes (``85123A``, ``15056BL``)."""
    numbers = rng.choice(np.arange(10002, 91000), size=PRODUCT_COUNT, replace=False)
    suffix_kind = rng.random(PRODUCT_COUNT)
    letters = "ABCDEFGHJKLMNPRSTW"
    first = rng.integers(0, len(letters), size=PRODUCT_COUNT)
    second = rng.integers(0, len(letters), size=PRODUCT_COUNT)
    codes: list[str] = []
    for index, number in enumerate(numbers.tolist()):
        code = str(number)
        if suffix_kind[index] < SUFFIX_SHARE:
            code += letters[first[index]]
            if suffix_kind[index] < SUFFIX_SHARE * 0.15:
                code += letters[second[index]]
        codes.append(code)
    rank = np.arange(1, PRODUCT_COUNT + 1)
    popularity = rng.permutation(1.0 / rank**0.6)
    return Products(
        codes=pa.array(codes),
        lower_codes=pa.array([code.lower() for code in codes]),
        has_suffix=suffix_kind < SUFFIX_SHARE,
        popularity=popularity / popularity.sum(),
        price_cents=rng.choice(np.array(catalog.PRODUCT_PRICES_CENTS), size=PRODUCT_COUNT),
    )


@dataclass
class BillingState:
    """What carries from one month to the next."""

    next_invoice: int = FIRST_INVOICE_NUMBER
    non_product_cursor: int = 0
    country_cursor: int = 0


@dataclass(frozen=True)
class MonthLines:
    """One month's invoice lines as parallel arrays (sorted by day)."""

    day: np.ndarray
    invoice: np.ndarray
    prefix: np.ndarray
    customer_id: np.ndarray  # 0 = null
    country: np.ndarray
    stream_code: pa.Array
    price_cents: np.ndarray
    times_viewed: np.ndarray

    def take(self, index: np.ndarray) -> MonthLines:
        return MonthLines(
            day=self.day[index],
            invoice=self.invoice[index],
            prefix=self.prefix[index],
            customer_id=self.customer_id[index],
            country=self.country[index],
            stream_code=self.stream_code.take(pa.array(index)),
            price_cents=self.price_cents[index],
            times_viewed=self.times_viewed[index],
        )


def _weights(pairs: tuple[tuple[object, float], ...]) -> np.ndarray:
    weights = np.array([weight for _, weight in pairs], dtype=float)
    return weights / weights.sum()


COUNTRY_NAMES = pa.array([name for name, _ in catalog.BILLING_COUNTRIES])
COUNTRY_P = _weights(catalog.BILLING_COUNTRIES)
UNITED_KINGDOM = 0
VIEWS = np.array([views for views, _ in catalog.TIMES_VIEWED])
VIEWS_P = _weights(catalog.TIMES_VIEWED)
NON_PRODUCT_CODES = pa.array([code for code, _, _ in catalog.NON_PRODUCT_CYCLE])
NON_PRODUCT_LOW = np.array([low for _, low, _ in catalog.NON_PRODUCT_CYCLE])
NON_PRODUCT_HIGH = np.array([high for _, _, high in catalog.NON_PRODUCT_CYCLE])
NON_PRODUCT_UK_ONLY = np.array(
    [code in catalog.UK_ONLY_CODES for code, _, _ in catalog.NON_PRODUCT_CYCLE]
)


@dataclass(frozen=True)
class Invoices:
    """Per invoice of a month: letter prefix, customer id (0 = null) and country."""

    prefix: np.ndarray
    customer_id: np.ndarray
    country: np.ndarray


def _invoice_starts(rng: np.random.Generator, day: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Invoice number (from 0) of each line: a new invoice each day, every ~25 lines,
    and on each line of ``own`` (lines that are an invoice of their own)."""
    starts = rng.random(len(day)) < 1.0 / MEAN_LINES_PER_INVOICE
    if len(day):
        starts[0] = True
        starts[1:] |= day[1:] != day[:-1]
    starts[own] = True
    return np.cumsum(starts) - 1


def _draw_invoices(
    rng: np.random.Generator,
    count: int,
    customers: Customers,
    customer_p: np.ndarray,
    state: BillingState,
) -> Invoices:
    """Prefix (~1.5% ``C``), customer (~30% null, else by purchase weight) and country."""
    prefix = np.where(rng.random(count) < CANCELLATION_SHARE, CANCELLATION, NO_PREFIX)
    has_customer = rng.random(count) >= NULL_CUSTOMER_SHARE
    who = rng.choice(customers.count, size=count, p=customer_p)
    anonymous_country = rng.choice(len(COUNTRY_P), count, p=COUNTRY_P)
    country = np.where(has_customer, customers.billing_country[who], anonymous_country)
    # roll call: a couple of invoices a month take the next country of the list in turn,
    # so even small data sets contain every source spelling (EIRE, RSA, Unspecified, ...)
    called = rng.choice(count, size=min(ROLL_CALL_PER_MONTH, count), replace=False)
    country[called] = (state.country_cursor + np.arange(len(called))) % len(COUNTRY_P)
    state.country_cursor += len(called)
    return Invoices(
        prefix=prefix,
        customer_id=np.where(has_customer, customers.customer_id[who], 0),
        country=country,
    )


def _draw_products(
    rng: np.random.Generator,
    products: Products,
    views: np.ndarray,
    invoice_of_line: np.ndarray,
    state: BillingState,
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Stream code, price (cents) and house-code flag (always UK) of each line."""
    total = len(views)
    product = _distinct_within_invoice(
        rng.choice(PRODUCT_COUNT, size=total, p=products.popularity), views, invoice_of_line
    )
    price = products.price_cents[product].copy()
    price[rng.random(total) < ZERO_PRICE_SHARE] = 0
    lower = products.has_suffix[product] & (rng.random(total) < LOWER_CASE_SHARE)
    product_arr = pa.array(product, type=pa.int32())
    code = pc.if_else(
        pa.array(lower), products.lower_codes.take(product_arr), products.codes.take(product_arr)
    )
    # non-product codes come in a fixed cycle, so every code appears once lines suffice
    non_product = np.flatnonzero(rng.random(total) < NON_PRODUCT_SHARE)
    cycle = (state.non_product_cursor + np.arange(len(non_product))) % len(NON_PRODUCT_CODES)
    state.non_product_cursor += len(non_product)
    price[non_product] = rng.integers(NON_PRODUCT_LOW[cycle], NON_PRODUCT_HIGH[cycle] + 1)
    is_non_product = np.zeros(total, dtype=bool)
    is_non_product[non_product] = True
    code_index = np.zeros(total, dtype=np.int64)
    code_index[non_product] = cycle
    code = pc.if_else(pa.array(is_non_product), pick(NON_PRODUCT_CODES, code_index), code)
    uk_only = np.zeros(total, dtype=bool)
    uk_only[non_product[NON_PRODUCT_UK_ONLY[cycle]]] = True
    return code, price, uk_only


def month_lines(
    rng: np.random.Generator,
    lines_per_day: np.ndarray,
    adjustment_days: np.ndarray,
    customers: Customers,
    customer_p: np.ndarray,
    products: Products,
    state: BillingState,
) -> MonthLines:
    """Draw one month: ``lines_per_day[d]`` lines on day d+1, adjustments on the given days."""
    day = np.repeat(np.arange(1, len(lines_per_day) + 1), lines_per_day)
    # an adjustment is the last line of its day, an invoice of its own
    adjustment = np.cumsum(lines_per_day)[adjustment_days - 1] - 1
    adjustment = adjustment[lines_per_day[adjustment_days - 1] > 0]
    invoice_of_line = _invoice_starts(rng, day, adjustment)
    invoice_count = int(invoice_of_line[-1]) + 1 if len(day) else 0
    invoices = _draw_invoices(rng, invoice_count, customers, customer_p, state)

    views = rng.choice(VIEWS, size=len(day), p=VIEWS_P)
    code, price, uk_only = _draw_products(rng, products, views, invoice_of_line, state)
    prefix = invoices.prefix[invoice_of_line]
    customer_id = invoices.customer_id[invoice_of_line]
    # a house code is always billed in the UK, and an invoice has one country (as in the
    # reference files): an invoice holding a house-code line is a UK invoice
    invoice_country = invoices.country.copy()
    invoice_country[np.unique(invoice_of_line[uk_only])] = UNITED_KINGDOM
    country = invoice_country[invoice_of_line]

    if len(adjustment):
        # bad-debt adjustment: more negative than twice the rest of the day's revenue
        day_revenue = np.bincount(day - 1, weights=price, minlength=len(lines_per_day))
        for line in adjustment.tolist():
            revenue = int(day_revenue[day[line] - 1]) - int(price[line])
            price[line] = -(2 * revenue + int(rng.integers(500_000, 2_000_000)))
        prefix[adjustment] = ADJUSTMENT
        customer_id[adjustment] = 0
        country[adjustment] = UNITED_KINGDOM
        views[adjustment] = 1
        is_adjustment = np.zeros(len(day), dtype=bool)
        is_adjustment[adjustment] = True
        code = pc.if_else(pa.array(is_adjustment), catalog.ADJUSTMENT_STREAM_ID, code)

    lines = MonthLines(
        day=day,
        invoice=state.next_invoice + invoice_of_line,
        prefix=prefix,
        customer_id=customer_id,
        country=country,
        stream_code=code,
        price_cents=price,
        times_viewed=views,
    )
    state.next_invoice += invoice_count
    return _with_duplicates(rng, lines, adjustment)


def _distinct_within_invoice(
    product: np.ndarray, views: np.ndarray, invoice_of_line: np.ndarray
) -> np.ndarray:
    """Move repeated (product, times_viewed) pairs of one invoice to the next product.

    Keeps accidental exact duplicates rare, so the ~1% injected ones are the dirt.
    """
    order = np.lexsort((views, product, invoice_of_line))
    keys = (invoice_of_line[order], product[order], views[order])
    same = np.ones(len(order), dtype=bool)
    for key in keys:
        same[1:] &= key[1:] == key[:-1]
    if len(order):
        same[0] = False
    position = np.arange(len(order))
    rank = position - np.maximum.accumulate(np.where(same, 0, position))
    moved = product.copy()
    moved[order] = (product[order] + rank) % PRODUCT_COUNT
    return moved


def _with_duplicates(
    rng: np.random.Generator, lines: MonthLines, protected: np.ndarray
) -> MonthLines:
    """Replace ~1% of lines by an exact copy of the line before (same total, same day order)."""
    total = len(lines.day)
    copies = round(total * DUPLICATE_LINE_SHARE)
    if total < 2 or copies == 0:
        return lines
    same_day = np.flatnonzero(lines.day[1:] == lines.day[:-1]) + 1
    same_day = np.setdiff1d(same_day, np.concatenate((protected, protected + 1)))
    chosen = np.sort(rng.choice(same_day, size=min(copies, len(same_day)), replace=False))
    source = np.arange(total)
    source[chosen] = chosen - 1
    # a chain of chosen neighbours copies the first original line of the chain
    source = np.maximum.accumulate(np.where(source == np.arange(total), source, -1))
    return lines.take(source)


def write_month(path: Path, year: int, month_index: int, lines: MonthLines) -> None:
    """Write one month as a single-line compact JSON array, in chunks."""
    price_key, stream_key, views_key = field_names(month_index)
    month = timeline.MONTHS[month_index][1]
    head = f'","month":"{month:02d}","day":"'
    with path.open("wb") as handle:
        handle.write(b"[")
        for start in range(0, len(lines.day), LINES_PER_CHUNK):
            part = slice(start, start + LINES_PER_CHUNK)
            customer = lines.customer_id[part]
            customer_text = pc.if_else(pa.array(customer == 0), "null", float_int_text(customer))
            rows = join_row(
                ',{"country":"',
                pick(COUNTRY_NAMES, lines.country[part]),
                '","customer_id":',
                customer_text,
                ',"invoice":"',
                pick(PREFIXES, lines.prefix[part]),
                int_text(lines.invoice[part]),
                f'","{price_key}":',
                cents_text(lines.price_cents[part]),
                f',"{stream_key}":"',
                lines.stream_code.slice(start, LINES_PER_CHUNK),
                f'","{views_key}":',
                int_text(lines.times_viewed[part]),
                f',"year":"{year}',
                head,
                pick(DAY_TEXT, lines.day[part]),
                '"}',
            )
            write_array(handle, rows, skip_first_byte=start == 0)
        handle.write(b"]")
