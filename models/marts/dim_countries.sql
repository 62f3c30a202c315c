with

crm_countries as (

    select * from {{ ref('stg_crm__countries') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

invoices as (

    -- the invoices, not their lines: the same totals from a table about 25x
    -- smaller (each line is in one invoice row, which carries its country)
    select * from {{ ref('fct_invoices') }}

),

country_customers as (

    select
        country_name,
        count(*) as num_customers,
        count(*) filter (where is_subscriber) as num_subscribers

    from customers

    where country_name is not null

    group by country_name

),

country_billing as (

    select
        country_name,
        count(distinct invoice_id) as num_invoices,
        cast(sum(num_invoice_lines) as bigint) as num_invoice_lines,
        sum(revenue) as revenue,
        min(invoice_date) as first_invoice_date,
        max(invoice_date) as last_invoice_date

    from invoices

    group by country_name

),

all_countries as (

    select country_name from crm_countries
    union
    select country_name from country_billing

),

final as (

    select
        all_countries.country_name,
        crm_countries.country_id,
        crm_countries.country_id is not null as is_in_crm,
        country_billing.country_name is not null as is_in_billing,
        coalesce(country_customers.num_customers, 0) as num_customers,
        coalesce(country_customers.num_subscribers, 0) as num_subscribers,
        coalesce(country_billing.num_invoices, 0) as num_invoices,
        coalesce(country_billing.num_invoice_lines, 0) as num_invoice_lines,
        cast(coalesce(country_billing.revenue, 0) as decimal(18, 2)) as revenue,
        country_billing.first_invoice_date,
        country_billing.last_invoice_date

    from all_countries

    left join crm_countries
        on all_countries.country_name = crm_countries.country_name

    left join country_customers
        on all_countries.country_name = country_customers.country_name

    left join country_billing
        on all_countries.country_name = country_billing.country_name

)

select * from final
