-- The floor: daily revenue by country straight from the invoice files, one DuckDB query.
-- Same rules as the warehouse: drifting field names coalesced, lines missing a required
-- field dropped, exact duplicates dropped, country spellings mapped by the project's seed.
-- Placeholders (filled in by floor.py): {invoice_glob}, {country_map}.
with

source_lines as (
    select * from read_json(
        {invoice_glob},
        format = 'array',
        columns = {{
            country: 'varchar',
            customer_id: 'double',
            invoice: 'varchar',
            price: 'double',
            total_price: 'double',
            stream_id: 'varchar',
            StreamID: 'varchar',
            times_viewed: 'bigint',
            TimesViewed: 'bigint',
            year: 'varchar',
            month: 'varchar',
            day: 'varchar'
        }}
    )
),

country_names as (
    select
        lower(trim(spelling)) as spelling,
        canonical_name,
    from read_csv(
        {country_map}, header = true, all_varchar = true,
        names = ['spelling', 'canonical_name']
    )
),

harmonised as (
    select distinct
        country,
        customer_id,
        invoice,
        coalesce(price, total_price) as price,
        coalesce(stream_id, StreamID) as stream_id,
        coalesce(times_viewed, TimesViewed) as times_viewed,
        year,
        month,
        day
    from source_lines
),

dated as (
    select
        *,
        try_strptime(year || '-' || month || '-' || day, '%Y-%m-%d')::date as revenue_date
    from harmonised
),

kept as (
    select * from dated
    where
        invoice is not null
        and price is not null
        and revenue_date is not null
        and country is not null
        and stream_id is not null
),

final as (
    select
        coalesce(country_names.canonical_name, trim(kept.country)) as country,
        kept.revenue_date,
        sum(kept.price) as revenue,
        count(*) as invoice_lines
    from kept
    left join country_names on lower(trim(kept.country)) = country_names.spelling
    group by all
)

select * from final
order by country, revenue_date
