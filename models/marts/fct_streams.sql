with

streams as (

    select * from {{ ref('stg_streaming__streams') }}

),

plans as (

    select * from {{ ref('stg_crm__plans') }}

),

final as (

    select
        streams.stream_event_id,
        streams.customer_id,
        streams.stream_id,
        streams.stream_date,
        streams.plan_id,
        plans.subscriber_type,
        streams.has_stream_id,
        streams.is_subscription_stopped,
        streams.num_landed_copies

    from streams

    left join plans
        on streams.plan_id = plans.plan_id

)

select * from final
