{#- Fails for every value of the column that is null or occurs more than once
    among the rows of the invoice months the latest build of the billing lines
    rebuilt (every month on a full build or with var full_history_tests):
    a primary-key test for tables incremental by month, at the cost of the
    months a build touched (macros/invoice_months_to_rebuild.sql).
    Two passes, exact: the keys' 64-bit hashes are counted first (a narrow
    aggregation, where grouping 10M md5 texts spilled under the memory limit),
    then only the rows of a repeated hash are grouped on the key itself, so a
    hash shared by two different keys is no failure. -#}
{% test key_of_rebuilt_invoice_months(model, column_name) %}

with

rows_under_test as {{ not_materialized() }} (

    select
        {{ column_name }} as key_value,
        {{ row_hash([column_name]) }} as key_hash
    from {{ model }}
    where {{ rebuilt_invoice_months_predicate() }}

),

repeated_hashes as (

    select key_hash
    from rows_under_test
    group by key_hash
    having count(*) > 1

),

failures as (

    select
        key_value,
        count(*) as occurrences
    from rows_under_test
    where
        key_value is null
        or key_hash in (select repeated_hashes.key_hash from repeated_hashes)
    group by key_value
    having key_value is null or count(*) > 1

)

select * from failures

{% endtest %}
