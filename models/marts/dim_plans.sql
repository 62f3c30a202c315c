with

plans as (

    select * from {{ ref('stg_crm__plans') }}

),

subscriptions as (

    select * from {{ ref('int_subscriptions_joined') }}

),

plan_subscriptions as (

    select
        plan_id,
        count(*) as num_customers,
        count(*) filter (where is_subscriber) as num_subscribers

    from subscriptions

    group by plan_id

),

final as (

    select
        plans.plan_id,
        plans.subscriber_type,
        coalesce(plan_subscriptions.num_customers, 0) as num_customers,
        coalesce(plan_subscriptions.num_subscribers, 0) as num_subscribers

    from plans

    left join plan_subscriptions
        on plans.plan_id = plan_subscriptions.plan_id

)

select * from final
