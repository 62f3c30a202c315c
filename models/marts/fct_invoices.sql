with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

invoices as (

    select
        invoice_id,
        min(invoice_code) as invoice_code,
        min(invoice_type) as invoice_type,
        min(invoice_date) as invoice_date,
        max(customer_id) as customer_id,
        min(country_name) as country_name,
        count(*) as num_lines,
        count(*) filter (where is_product) as num_product_lines,
        cast(coalesce(sum(times_viewed), 0) as bigint) as total_views,
        cast(sum(price) as decimal(18, 2)) as amount

    from invoice_lines

    group by invoice_id

)

select * from invoices
