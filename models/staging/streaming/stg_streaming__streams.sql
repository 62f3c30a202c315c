with

source as (

    select * from {{ source('streaming', 'streams') }}

),

deduplicated as (

    -- Exact duplicate rows (same values in every source column, unknown
    -- extra columns included) are one stream event; num_landed_copies counts
    -- how many rows were landed.
    select
        customer_id,
        stream_id,
        date,
        invoice_item_id,
        subscription_stopped,
        cast(_extra_fields as string) as extra_fields,
        count(*) as num_landed_copies,
        min(_source_file) as source_file,
        max(_load_id) as load_id,
        max(_loaded_at) as loaded_at

    from source

    group by all

),

renamed as (

    select
        {{ surrogate_key([
            'customer_id', 'stream_id', 'date', 'invoice_item_id', 'subscription_stopped',
            'extra_fields',
        ]) }} as stream_event_id,
        customer_id,
        nullif(trim(stream_id), '') as stream_id,
        date as stream_date,
        {{ checked_cast('invoice_item_id', 'bigint') }} as plan_id,
        subscription_stopped = 1 as is_subscription_stopped,
        nullif(trim(stream_id), '') is not null as has_stream_id,
        extra_fields,
        num_landed_copies,
        source_file,
        load_id,
        loaded_at

    from deduplicated

)

select * from renamed
