{#- Fails for every value of the column that is null or occurs more than once
    among the rows of the invoice months the latest build of fct_invoice_lines
    rebuilt (every month on a full build or with var full_history_tests):
    a primary-key test for a view over every billing line, at the cost of
    the months a build touched (macros/invoice_months_to_rebuild.sql). -#}
{% test key_of_rebuilt_invoice_months(model, column_name) %}

with

rows_under_test as (

    select {{ column_name }} as key_value
    from {{ model }}
    where {{ rebuilt_invoice_months_predicate() }}

),

failures as (

    select
        key_value,
        count(*) as occurrences
    from rows_under_test
    group by key_value
    having key_value is null or count(*) > 1

)

select * from failures

{% endtest %}
