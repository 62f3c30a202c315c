-- After the build, no invoice month differs between the raw billing table and
-- the incremental staging table stg_billing__invoice_lines: for every month,
-- raw rows = sum of num_landed_copies and the newest raw _load_id = the
-- newest load_id of its lines (the rebuild rule of
-- macros/invoice_months_to_rebuild.sql, over every month, no deduplication).
-- A month left stale, missing, or kept after its raw rows vanished is returned.

{{ invoice_month_changes(ref('stg_billing__invoice_lines'), source('billing', 'invoice_lines')) }}
