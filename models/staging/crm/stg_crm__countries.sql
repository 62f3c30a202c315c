with

source as (

    select * from {{ source('crm', 'country') }}

),

country_spellings as (

    select * from {{ ref('country_spellings') }}

),

renamed as (

    select
        source.country_id,
        coalesce(
            country_spellings.country_name,
            {{ title_case("replace(source.country_name, '_', ' ')") }}
        ) as country_name,
        source.country_name as country_key,
        source._load_id as load_id,
        source._loaded_at as loaded_at

    from source

    left join country_spellings
        on lower(trim(source.country_name)) = country_spellings.country_spelling

)

select * from renamed
