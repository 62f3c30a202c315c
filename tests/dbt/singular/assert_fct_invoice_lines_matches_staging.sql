-- The incremental fct_invoice_lines holds exactly the distinct lines of
-- staging, line by line, in the months the latest build rebuilt (every month
-- on a full build; macros/invoice_months_to_rebuild.sql): no line missing,
-- none left over from a replaced month. Every month's row count and newest
-- load are checked on every build by assert_fct_invoice_lines_months_match_raw.

with

staged as (

    select invoice_line_id from {{ ref('stg_billing__invoice_lines') }}
    where {{ rebuilt_invoice_months_predicate() }}

),

fact as (

    select invoice_line_id from {{ ref('fct_invoice_lines') }}
    where {{ rebuilt_invoice_months_predicate() }}

),

missing_ids as (

    select invoice_line_id from staged
    except
    select invoice_line_id from fact

),

extra_ids as (

    select invoice_line_id from fact
    except
    select invoice_line_id from staged

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

)

select * from missing
union all
select * from extra
