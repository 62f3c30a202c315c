with

source as (

    select * from {{ source('crm', 'invoice') }}

),

renamed as (

    select
        customer_id,
        invoice_item_id as plan_id,
        signup_date,
        last_stream as last_stream_date,
        generated_id,
        _load_id as load_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
