-- After the build, no invoice month differs between the raw billing table and
-- fct_invoice_lines: for every month, raw rows = sum of num_landed_copies and
-- the newest raw _load_id = the newest load_id of its lines. This is the
-- incremental model's own rebuild rule (macros/invoice_months_to_rebuild.sql)
-- applied after the build, over every month and cheaply (no deduplication):
-- a month left stale, missing, or still present after its raw rows vanished
-- is returned, whatever number of loads landed since the last build.

{{ invoice_month_changes(ref('fct_invoice_lines'), source('billing', 'invoice_lines')) }}
