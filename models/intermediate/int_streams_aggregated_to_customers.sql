with

streams as (

    select * from {{ ref('stg_streaming__streams') }}

),

aggregated as (

    select
        customer_id,
        count(*) as num_stream_events,
        -- the course's num_streams: stream events that name a title
        count(*) filter (where has_stream_id) as num_streams,
        min(stream_date) as first_stream_date,
        max(stream_date) as last_stream_event_date,
        bool_or(is_subscription_stopped) as has_stopped_subscription

    from streams

    group by customer_id

)

select * from aggregated
