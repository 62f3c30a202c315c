-- Share of customers who stopped their subscription, per plan and country.
with

customers as (

    select * from {{ ref('dim_customers') }}

),

churn as (

    select
        subscriber_type,
        country_name,
        count(*) as num_customers,
        count(*) filter (where not is_subscriber) as num_churned_customers,
        round(count(*) filter (where not is_subscriber) / count(*), 3) as churn_rate,
        avg(num_streams) as avg_num_streams

    from customers

    group by subscriber_type, country_name

)

select * from churn
order by subscriber_type, country_name
