{#- Fails when the newest value of column_name is older than max_age_days before now. -#}
{% test recency(model, column_name, max_age_days) %}
    with newest as (
        select max({{ column_name }}) as newest_at
        from {{ model }}
    )

    select newest_at
    from newest
    where newest_at is null
        or newest_at < {{ days_before_now(max_age_days) }}
{% endtest %}
