with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

countries as (

    select * from {{ ref('stg_crm__countries') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_joined') }}

),

customer_streams as (

    select * from {{ ref('int_streams_aggregated_to_customers') }}

),

invoices as (

    -- the invoices, not their lines: the same totals from a table about 25x
    -- smaller (each line is in one invoice row, which carries its customer id)
    select * from {{ ref('fct_invoices') }}

),

customer_ages as (

    select
        customer_id,
        cast(
            date_part('year', {{ as_of_date() }}) - date_part('year', birth_date)
            - case
                when {{ month_day_number(as_of_date()) }} < {{ month_day_number('birth_date') }}
                    then 1
                else 0
            end
            as integer
        ) as age

    from customers

),

customer_billing as (

    select
        customer_id,
        count(distinct invoice_id) as num_invoices,
        cast(sum(num_invoice_lines) as bigint) as num_invoice_lines,
        sum(revenue) as revenue,
        min(invoice_date) as first_invoice_date,
        max(invoice_date) as last_invoice_date

    from invoices

    where customer_id is not null

    group by customer_id

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.first_name,
        customers.last_name,
        customers.gender,
        customers.birth_date,
        customer_ages.age,
        case
            when customer_ages.age < 18 then 'under 18'
            when customer_ages.age < 25 then '18-24'
            when customer_ages.age < 35 then '25-34'
            when customer_ages.age < 45 then '35-44'
            when customer_ages.age < 55 then '45-54'
            when customer_ages.age < 65 then '55-64'
            when customer_ages.age >= 65 then '65+'
            else 'unknown'
        end as age_band,
        customers.city,
        customers.state,
        customers.country_id,
        countries.country_name,
        subscriptions.plan_id,
        subscriptions.subscriber_type,
        coalesce(subscriptions.is_subscriber, false) as is_subscriber,
        subscriptions.signup_date,
        subscriptions.last_stream_date,
        coalesce(customer_streams.num_streams, 0) as num_streams,
        coalesce(customer_streams.num_stream_events, 0) as num_stream_events,
        customer_streams.first_stream_date,
        customer_streams.last_stream_event_date,
        customer_billing.customer_id is not null as has_invoice_lines,
        coalesce(customer_billing.num_invoices, 0) as num_invoices,
        coalesce(customer_billing.num_invoice_lines, 0) as num_invoice_lines,
        cast(coalesce(customer_billing.revenue, 0) as decimal(18, 2)) as revenue,
        customer_billing.first_invoice_date,
        customer_billing.last_invoice_date

    from customers

    left join customer_ages
        on customers.customer_id = customer_ages.customer_id

    left join countries
        on customers.country_id = countries.country_id

    left join subscriptions
        on customers.customer_id = subscriptions.customer_id

    left join customer_streams
        on customers.customer_id = customer_streams.customer_id

    left join customer_billing
        on customers.customer_id = customer_billing.customer_id

)

select * from final
