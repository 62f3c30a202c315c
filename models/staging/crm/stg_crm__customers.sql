with

source as (

    select * from {{ source('crm', 'customer') }}

),

deduplicated as (

    -- Duplicated customers are exact copies except for generated_id and the
    -- landing columns (unknown extra columns must match too): keep one row per
    -- distinct record and count the copies.
    select
        customer_id,
        last_name,
        first_name,
        gender,
        dob,
        city,
        state,
        country_id,
        cast(_extra_fields as string) as extra_fields,
        min(generated_id) as generated_id,
        count(*) as num_landed_copies,
        max(_load_id) as load_id,
        max(_loaded_at) as loaded_at

    from source

    group by all

),

birth_date_parts as (

    select
        *,
        {{ checked_cast("split_part(dob, '/', 1)", 'integer') }} as birth_month,
        {{ checked_cast("split_part(dob, '/', 2)", 'integer') }} as birth_day,
        {{ checked_cast("split_part(dob, '/', 3)", 'integer') }} as birth_year_in_century

    from deduplicated

),

renamed as (

    select
        customer_id,
        trim(first_name) || ' ' || trim(last_name) as customer_name,
        trim(first_name) as first_name,
        trim(last_name) as last_name,

        case
            when lower(trim(gender)) in ('f', 'female') then 'female'
            when lower(trim(gender)) in ('m', 'male') then 'male'
        end as gender,

        -- century pivot: 20yy unless that is after the as-of date, then 19yy
        {%- set born_20yy = checked_make_date(
            '2000 + birth_year_in_century', 'birth_month', 'birth_day'
        ) %}
        case
            when {{ born_20yy }} <= {{ as_of_date() }}
                then {{ born_20yy }}
            else {{ checked_make_date('1900 + birth_year_in_century', 'birth_month', 'birth_day') }}
        end as birth_date,

        dob as birth_date_text,
        {{ normalise_name('city') }} as city,
        {{ normalise_name('state') }} as state,
        country_id,
        extra_fields,
        generated_id,
        num_landed_copies,
        load_id,
        loaded_at

    from birth_date_parts

)

select * from renamed
