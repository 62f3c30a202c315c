-- All countries together: the `All` series of the revenue grid.
with

revenue_grid as (

    select * from {{ ref('int_invoice_lines_aggregated_to_days') }}

),

final as (

    select
        revenue_date,
        num_invoice_lines,
        num_invoices,
        num_stream_ids,
        num_views,
        revenue

    from revenue_grid

    where is_all_countries

)

select * from final
