with

source as (

    select * from {{ source('billing', 'invoice_lines') }}

),

batches as (

    -- One row per landed file, load and invoice month: what each load brought.
    select
        _source_file as source_file,
        _load_id as load_id,
        {{ checked_make_date(
            checked_cast('year', 'integer'), checked_cast('month', 'integer'), '1'
        ) }} as invoice_month,
        count(*) as rows_landed,
        max(_loaded_at) as loaded_at

    from source

    group by all

)

select * from batches
