with

subscriptions as (

    select * from {{ ref('stg_crm__subscriptions') }}

),

plans as (

    select * from {{ ref('stg_crm__plans') }}

),

customer_streams as (

    select * from {{ ref('int_streams_aggregated_to_customers') }}

),

joined as (

    select
        subscriptions.customer_id,
        subscriptions.plan_id,
        plans.subscriber_type,
        subscriptions.signup_date,
        subscriptions.last_stream_date,
        -- a subscriber until a stream row says the subscription stopped
        not coalesce(customer_streams.has_stopped_subscription, false) as is_subscriber

    from subscriptions

    left join plans
        on subscriptions.plan_id = plans.plan_id

    left join customer_streams
        on subscriptions.customer_id = customer_streams.customer_id

)

select * from joined
