-- The incremental fct_invoice_lines holds exactly the distinct lines of
-- staging: no line missing, none left over from a replaced month. A full
-- refresh compares every month; other builds the months the newest load
-- brought (macros/billing_months_under_test.sql).

with

staged as (

    select invoice_line_id from {{ ref('stg_billing__invoice_lines') }}
    where {{ billing_months_under_test() }}

),

fact as (

    select invoice_line_id from {{ ref('fct_invoice_lines') }}
    where {{ billing_months_under_test() }}

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
