with

source as (

    select * from {{ source('billing', 'invoice_lines') }}

),

batches as (

    -- One row per landed file, load and invoice month: what each load brought.
    select
        _source_file as source_file,
        _load_id as load_id,
        make_date(cast(year as integer), cast(month as integer), 1) as invoice_month,
        count(*) as rows_landed,
        max(_loaded_at) as loaded_at

    from source

    group by all

)

select * from batches
