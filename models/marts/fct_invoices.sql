with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

invoices as (

    -- Grouped by every invoice-level attribute, not only the id: lines of one
    -- invoice_id that disagree on code, type, date, customer or country give
    -- two rows with that id, and the primary-key test fails instead of a
    -- min()/max() silently picking one value.
    select
        invoice_id,
        invoice_code,
        invoice_type,
        invoice_date,
        customer_id,
        country_name,
        count(*) as num_invoice_lines,
        count(*) filter (where is_product) as num_product_invoice_lines,
        cast(coalesce(sum(times_viewed), 0) as bigint) as num_views,
        cast(sum(price) as decimal(18, 2)) as revenue

    from invoice_lines

    group by
        invoice_id,
        invoice_code,
        invoice_type,
        invoice_date,
        customer_id,
        country_name

),

final as (

    select * from invoices

)

select * from final
