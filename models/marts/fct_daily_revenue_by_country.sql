with

revenue_days as (

    select * from {{ ref('int_invoice_lines_aggregated_to_days') }}

),

final as (

    select
        revenue_date,
        series_name as country_name,
        purchases,
        unique_invoices,
        unique_streams,
        total_views,
        revenue

    from revenue_days

    where not is_all_countries

)

select * from final
