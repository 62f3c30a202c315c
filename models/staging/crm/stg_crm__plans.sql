with

source as (

    select * from {{ source('crm', 'invoice_item') }}

),

renamed as (

    select
        invoice_item_id as plan_id,
        lower(trim(invoice_item)) as subscriber_type,
        generated_id,
        _load_id as load_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
