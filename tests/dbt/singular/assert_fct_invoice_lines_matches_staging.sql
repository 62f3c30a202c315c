-- The incremental fct_invoice_lines holds exactly the distinct lines of
-- staging, line by line, in the months the latest build rebuilt (every month
-- on a full build; macros/invoice_months_to_rebuild.sql): no line missing,
-- none left over from a replaced month, none twice. Every month's row count
-- and newest load are checked on every build by
-- assert_fct_invoice_lines_months_match_raw.
-- Two passes: each month's fingerprint (number of lines, sum of the keys'
-- 64-bit hashes) on both sides first, a cheap aggregation; then the line-by-
-- line comparison only in the months whose fingerprints differ, where it
-- names every missing and extra line. (Comparing every line of every month
-- held two sets of 10M md5 texts and spilled under the memory limit.)

with

staged as {{ not_materialized() }} (

    select
        invoice_month,
        invoice_line_id
    from {{ ref('stg_billing__invoice_lines') }}
    where {{ rebuilt_invoice_months_predicate() }}

),

fact as {{ not_materialized() }} (

    select
        invoice_month,
        invoice_line_id
    from {{ ref('fct_invoice_lines') }}
    where {{ rebuilt_invoice_months_predicate() }}

),

staged_months as (

    select
        invoice_month,
        count(*) as num_lines,
        sum({{ row_hash(['invoice_line_id']) }}) as key_hash_sum
    from staged
    group by invoice_month

),

fact_months as (

    select
        invoice_month,
        count(*) as num_lines,
        sum({{ row_hash(['invoice_line_id']) }}) as key_hash_sum
    from fact
    group by invoice_month

),

differing_months as (

    select
        coalesce(staged_months.invoice_month, fact_months.invoice_month) as invoice_month,
        coalesce(staged_months.num_lines, 0) as num_staged_lines,
        coalesce(fact_months.num_lines, 0) as num_fact_lines

    from staged_months

    full outer join fact_months
        on staged_months.invoice_month is not distinct from fact_months.invoice_month

    where
        staged_months.num_lines is null
        or fact_months.num_lines is null
        or staged_months.num_lines <> fact_months.num_lines
        or staged_months.key_hash_sum <> fact_months.key_hash_sum

),

missing_ids as (

    select staged.invoice_line_id from staged
    where
        exists (
            select 1 from differing_months
            where differing_months.invoice_month is not distinct from staged.invoice_month
        )
    except
    select fact.invoice_line_id from fact
    where exists (
        select 1 from differing_months
        where differing_months.invoice_month is not distinct from fact.invoice_month
    )

),

extra_ids as (

    select fact.invoice_line_id from fact
    where
        exists (
            select 1 from differing_months
            where differing_months.invoice_month is not distinct from fact.invoice_month
        )
    except
    select staged.invoice_line_id from staged
    where exists (
        select 1 from differing_months
        where differing_months.invoice_month is not distinct from staged.invoice_month
    )

),

missing as (

    select
        'missing from fct_invoice_lines' as problem,
        invoice_line_id
    from missing_ids

),

extra as (

    select
        'not in staging' as problem,
        invoice_line_id
    from extra_ids

),

miscounted as (

    -- the same keys on both sides but not the same number of lines: a line twice
    select
        'month ' || {{ date_text('invoice_month') }} || ': '
        || cast(num_fact_lines as string) || ' lines in fct_invoice_lines, '
        || cast(num_staged_lines as string) || ' in staging' as problem,
        cast(null as string) as invoice_line_id
    from differing_months
    where num_staged_lines <> num_fact_lines

)

select * from missing
union all
select * from extra
union all
select * from miscounted
