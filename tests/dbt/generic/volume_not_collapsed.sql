{#- Errors when a raw source table is empty, or when the last load that changed its row
    count lost more than max_loss_fraction of the rows it had before that load
    (raw_meta.table_volumes, written by the loader after every run). -#}
{% test volume_not_collapsed(model, max_loss_fraction=0.5) %}
    {%- set table_name = model.schema ~ '.' ~ model.identifier -%}
    {%- set volumes = adapter.get_relation(
        database=model.database, schema='raw_meta', identifier='table_volumes'
    ) if execute else none -%}

    with current_volume as (
        select count(*) as num_rows
        from {{ model }}
    ),

    last_change as (
        {%- if volumes is not none %}
            select
                load_id,
                rows_before,
                rows as rows_after
            from {{ volumes }}
            where table_name = '{{ table_name }}' and rows != rows_before
            order by load_id desc
            limit 1
        {%- else %}
            select
                cast(null as bigint) as load_id,
                cast(null as bigint) as rows_before,
                cast(null as bigint) as rows_after
            where false
        {%- endif %}
    ),

    failures as (
        select
            'the table is empty' as problem,
            cast(null as bigint) as load_id,
            cast(null as bigint) as rows_before,
            current_volume.num_rows as rows_after
        from current_volume
        where current_volume.num_rows = 0

        union all

        select
            'load ' || cast(last_change.load_id as string) || ' lost more than '
            || cast({{ max_loss_fraction }} * 100 as string) || '% of the rows' as problem,
            last_change.load_id,
            last_change.rows_before,
            last_change.rows_after
        from last_change
        where last_change.rows_after < last_change.rows_before * (1 - {{ max_loss_fraction }})
    )

    select * from failures
{% endtest %}
