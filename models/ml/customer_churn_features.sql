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

tenures as (

    -- NULL without a signup date or any stream
    select
        customers.customer_id,
        cast(
            {{ days_between('customers.signup_date', 'activity.last_active_date') }} as integer
        ) as tenure_days

    from customers

    inner join activity
        on customers.customer_id = activity.customer_id

),

final as (

    select
        customers.customer_id,
        snapshot.snapshot_date,
        customers.country_name,
        customers.subscriber_type,
        customers.age_band,
        tenures.tenure_days,
        customers.num_streams,
        customers.num_stream_events,
        cast(
            -- tenure counted as at least 30 days; NULL where the tenure is unknown
            -- (greatest() would ignore a NULL tenure)
            customers.num_streams * 30.0
            / case when tenures.tenure_days is not null then greatest(tenures.tenure_days, 30) end
            as decimal(18, 3)
        ) as streams_per_month,
        cast({{ days_between('activity.last_active_date', 'snapshot.snapshot_date') }} as integer)
            as days_since_last_stream,
        customers.has_invoice_lines,
        customers.num_invoices,
        customers.num_invoice_lines,
        customers.revenue,
        customers.is_subscriber

    from customers

    inner join activity
        on customers.customer_id = activity.customer_id

    inner join tenures
        on customers.customer_id = tenures.customer_id

    cross join snapshot

)

select * from final
