with

customers as (

    select * from {{ ref('dim_customers') }}

),

activity as (

    -- the last stream we know of, from the CRM or from the stream events
    select
        customer_id,
        greatest(last_stream_date, last_stream_event_date) as last_active_date

    from customers

),

snapshot as (

    -- "now" for recency: the latest stream date anywhere in the data
    select max(last_active_date) as snapshot_date

    from activity

),

final as (

    select
        customers.customer_id,
        snapshot.snapshot_date,
        customers.country_name,
        customers.subscriber_type,
        case
            when customers.age < 18 then 'under 18'
            when customers.age < 25 then '18-24'
            when customers.age < 35 then '25-34'
            when customers.age < 45 then '35-44'
            when customers.age < 55 then '45-54'
            when customers.age < 65 then '55-64'
            when customers.age >= 65 then '65+'
            else 'unknown'
        end as age_band,
        cast(activity.last_active_date - customers.signup_date as integer) as tenure_days,
        customers.num_streams,
        customers.num_stream_events,
        cast(
            customers.num_streams * 30.0
            / greatest(activity.last_active_date - customers.signup_date, 30)
            as decimal(18, 3)
        ) as streams_per_month,
        cast(snapshot.snapshot_date - activity.last_active_date as integer)
            as days_since_last_stream,
        customers.has_invoice_lines,
        customers.num_invoices,
        customers.num_invoice_lines,
        customers.total_revenue as billing_revenue,
        customers.is_subscriber

    from customers

    inner join activity
        on customers.customer_id = activity.customer_id

    cross join snapshot

)

select * from final
