with

revenue_days as (

    select * from {{ ref('int_invoice_lines_aggregated_to_days') }}

),

final as (

    select
        revenue_date,
        purchases,
        unique_invoices,
        unique_streams,
        total_views,
        revenue

    from revenue_days

    where is_all_countries

)

select * from final
