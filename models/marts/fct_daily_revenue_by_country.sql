-- One series per country: the country series of the revenue grid.
with

revenue_grid as (

    select * from {{ ref('int_invoice_lines_aggregated_to_days') }}

),

final as (

    select
        revenue_date,
        series_name as country_name,
        num_invoice_lines,
        num_invoices,
        num_stream_ids,
        num_views,
        revenue

    from revenue_grid

    where not is_all_countries

)

select * from final
