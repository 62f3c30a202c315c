{#- Engine differences of the project's SQL, one macro each (adapter.dispatch:
    `default__` is the DuckDB text the models always had, `spark__` the Spark
    SQL equivalent giving the same values). Checked on both engines by
    tests/dbt/singular/assert_cross_db_macros_agree.sql and tests/python/spark/. -#}

{#- `not materialized` CTE hint: DuckDB inlines the CTE (so filters reach the scan); Spark always inlines. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'aavail')()) }}
{%- endmacro %}
{% macro default__not_materialized() -%}not materialized{%- endmacro %}
{% macro spark__not_materialized() -%}{%- endmacro %}

{#- Every element of a text split on single spaces, transformed by a one-argument SQL template. -#}
{% macro title_case_words(expression) -%}
    {{ return(adapter.dispatch('title_case_words', 'aavail')(expression)) }}
{%- endmacro %}
{% macro default__title_case_words(expression) -%}
    array_to_string(
        list_transform(
            string_split({{ expression }}, ' '),
            lambda word: upper(left(word, 1)) || substr(word, 2)
        ),
        ' '
    )
{%- endmacro %}
{% macro spark__title_case_words(expression) -%}
    array_join(
        transform(split({{ expression }}, ' ', -1), word -> upper(left(word, 1)) || substr(word, 2)),
        ' '
    )
{%- endmacro %}

{#- Replace every match of a regular expression. -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'aavail')(expression, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}
{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{#- Whether a text starts with another. -#}
{% macro text_starts_with(expression, prefix) -%}
    {{ return(adapter.dispatch('text_starts_with', 'aavail')(expression, prefix)) }}
{%- endmacro %}
{% macro default__text_starts_with(expression, prefix) -%}
    starts_with({{ expression }}, {{ prefix }})
{%- endmacro %}
{% macro spark__text_starts_with(expression, prefix) -%}
    startswith({{ expression }}, {{ prefix }})
{%- endmacro %}

{#- A double truncated toward zero, as a double (to test for whole numbers). -#}
{% macro truncated_number(expression) -%}
    {{ return(adapter.dispatch('truncated_number', 'aavail')(expression)) }}
{%- endmacro %}
{% macro default__truncated_number(expression) -%}
    trunc({{ expression }})
{%- endmacro %}
{% macro spark__truncated_number(expression) -%}
    (sign({{ expression }}) * floor(abs({{ expression }})))
{%- endmacro %}

{#- Every calendar day from first_date to last_date (inclusive), one row each, as a set-returning select item. -#}
{% macro days_from_to(first_date, last_date) -%}
    {{ return(adapter.dispatch('days_from_to', 'aavail')(first_date, last_date)) }}
{%- endmacro %}
{% macro default__days_from_to(first_date, last_date) -%}
    cast(unnest(generate_series({{ first_date }}, {{ last_date }}, interval 1 day)) as date)
{%- endmacro %}
{% macro spark__days_from_to(first_date, last_date) -%}
    explode(sequence(cast({{ first_date }} as date), cast({{ last_date }} as date), interval 1 day))
{%- endmacro %}

{#- Whole days from start_date to end_date (end minus start), an integer. -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'aavail')(start_date, end_date)) }}
{%- endmacro %}
{% macro default__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}
{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}

{#- A date as 'YYYY-MM-DD' text. -#}
{% macro date_text(expression) -%}
    {{ return(adapter.dispatch('date_text', 'aavail')(expression)) }}
{%- endmacro %}
{% macro default__date_text(expression) -%}
    strftime({{ expression }}, '%Y-%m-%d')
{%- endmacro %}
{% macro spark__date_text(expression) -%}
    date_format({{ expression }}, 'yyyy-MM-dd')
{%- endmacro %}

{#- A date's month and day as the number MMDD (to compare birthdays). -#}
{% macro month_day_number(expression) -%}
    {{ return(adapter.dispatch('month_day_number', 'aavail')(expression)) }}
{%- endmacro %}
{% macro default__month_day_number(expression) -%}
    strftime({{ expression }}, '%m%d')
{%- endmacro %}
{% macro spark__month_day_number(expression) -%}
    date_format({{ expression }}, 'MMdd')
{%- endmacro %}

{#- A double as DECIMAL(precision, scale), rounded as DuckDB does: the double
    times 10^scale, rounded half away from zero in double arithmetic
    (1.005 -> 1.00, 2.675 -> 2.68). Spark's own cast rounds the shortest
    decimal text of the double instead (1.005 -> 1.01). -#}
{% macro double_to_decimal(expression, precision, scale) -%}
    {{ return(adapter.dispatch('double_to_decimal', 'aavail')(expression, precision, scale)) }}
{%- endmacro %}
{% macro default__double_to_decimal(expression, precision, scale) -%}
    cast({{ expression }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}
{% macro spark__double_to_decimal(expression, precision, scale) -%}
    cast(
        cast(round(cast({{ expression }} as double) * {{ 10 ** scale }}d, 0) as decimal(38, 0))
        / {{ 10 ** scale }}
        as decimal({{ precision }}, {{ scale }})
    )
{%- endmacro %}

{#- Any value as text, as DuckDB's cast(... as varchar) writes it (surrogate keys).
    Only doubles differ between the engines: DuckDB writes the shortest
    round-trip digits in Python's repr layout (13.0, 12345678.9, 1e-05, 1e+16),
    Spark Java's Double.toString (1.23456789E7, 1.0E-5, and on Java 17 not
    always the shortest digits). On Spark a double is rebuilt from the first
    of %.14e / %.15e / %.16e that reads back as the same double. -#}
{% macro value_text(expression) -%}
    {{ return(adapter.dispatch('value_text', 'aavail')(expression)) }}
{%- endmacro %}
{% macro default__value_text(expression) -%}
    cast({{ expression }} as varchar)
{%- endmacro %}
{% macro spark__value_text(expression) -%}
    case
        when typeof({{ expression }}) = 'double'
            then {{ aavail.spark__double_text('cast(' ~ expression ~ ' as double)') }}
        else cast({{ expression }} as string)
    end
{%- endmacro %}

{% macro spark__double_text(x) -%}
    {#- s: the shortest of %.14e / %.15e / %.16e that reads back as |x| (Java's
        %e exponent is signed, at least two digits); d: its digits without
        trailing zeros; e: its decimal exponent. Then Python's repr layout:
        fixed notation for -4 <= e < 16 (at least one decimal), else d.ddde+XX. -#}
    case
        when {{ x }} is null then null
        when isnan({{ x }}) then 'nan'
        when {{ x }} = double('infinity') then 'inf'
        when {{ x }} = double('-infinity') then '-inf'
        when {{ x }} = 0 then if(cast({{ x }} as string) = '-0.0', '-0.0', '0.0')
        else concat(
            if({{ x }} < 0, '-', ''),
            element_at(transform(
                array(element_at(filter(
                    transform(array(14, 15, 16), p -> format_string(concat('%.', p, 'e'), abs({{ x }}))),
                    s -> cast(s as double) = abs({{ x }})
                ), 1)),
                s -> element_at(transform(
                    array(named_struct(
                        'd', regexp_replace(replace(split_part(s, 'e', 1), '.', ''), '0+$', ''),
                        'e', cast(split_part(s, 'e', 2) as int)
                    )),
                    p -> case
                        when p.e between 0 and 15 then concat(
                            substr(rpad(p.d, greatest(length(p.d), p.e + 1), '0'), 1, p.e + 1),
                            '.',
                            if(length(p.d) > p.e + 1, substr(p.d, p.e + 2), '0')
                        )
                        when p.e between -4 and -1 then concat('0.', repeat('0', -p.e - 1), p.d)
                        else concat(
                            substr(p.d, 1, 1),
                            if(length(p.d) > 1, concat('.', substr(p.d, 2)), ''),
                            'e', if(p.e < 0, '-', '+'), lpad(cast(abs(p.e) as string), greatest(2, length(cast(abs(p.e) as string))), '0')
                        )
                    end
                ), 1)
            ), 1)
        )
    end
{%- endmacro %}

{#- Guards against Spark's non-ANSI mode, which dbt-spark forces: there an
    invalid cast or date silently becomes NULL where DuckDB raises. These
    make Spark raise too (raise_error), so a bad value fails the build on both
    engines instead of vanishing on one. `invalid_cast` / `invalid_date` are
    the predicates (true for a present value that does not convert). -#}
{% macro invalid_cast(expression, type) -%}
    (({{ expression }}) is not null and try_cast(({{ expression }}) as {{ type }}) is null)
{%- endmacro %}

{% macro checked_cast(expression, type) -%}
    {{ return(adapter.dispatch('checked_cast', 'aavail')(expression, type)) }}
{%- endmacro %}
{% macro default__checked_cast(expression, type) -%}
    cast({{ expression }} as {{ type }})
{%- endmacro %}
{#- The expression is bound once to a lambda variable (element_at(transform(array(x), v -> ...), 1)),
    so nested guards (checked_make_date(checked_cast(...))) grow linearly, not 4x per level:
    a view's text must stay under the Hive metastore's 32,700 characters (Derby). -#}
{% macro spark__checked_cast(expression, type) -%}
    element_at(transform(array({{ expression }}), checked_value -> case
        when {{ aavail.invalid_cast('checked_value', type) }}
            then raise_error(concat('cannot cast to {{ type }}: ', cast(checked_value as string)))
        else cast(checked_value as {{ type }})
    end), 1)
{%- endmacro %}

{% macro invalid_date(year, month, day) -%}
    {{ return(adapter.dispatch('invalid_date', 'aavail')(year, month, day)) }}
{%- endmacro %}
{% macro default__invalid_date(year, month, day) -%}
    (
        ({{ year }}) is not null and ({{ month }}) is not null and ({{ day }}) is not null
        and try(make_date({{ year }}, {{ month }}, {{ day }})) is null
    )
{%- endmacro %}
{% macro spark__invalid_date(year, month, day) -%}
    (
        ({{ year }}) is not null and ({{ month }}) is not null and ({{ day }}) is not null
        and make_date({{ year }}, {{ month }}, {{ day }}) is null
    )
{%- endmacro %}

{% macro checked_make_date(year, month, day) -%}
    {{ return(adapter.dispatch('checked_make_date', 'aavail')(year, month, day)) }}
{%- endmacro %}
{% macro default__checked_make_date(year, month, day) -%}
    make_date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}
{% macro spark__checked_make_date(year, month, day) -%}
    element_at(transform(
        array(named_struct('y', {{ year }}, 'm', {{ month }}, 'd', {{ day }})),
        checked_ymd -> case
            when {{ aavail.spark__invalid_date('checked_ymd.y', 'checked_ymd.m', 'checked_ymd.d') }}
                then raise_error(concat(
                    'not a date: ', cast(checked_ymd.y as string), '-',
                    cast(checked_ymd.m as string), '-', cast(checked_ymd.d as string)
                ))
            else make_date(checked_ymd.y, checked_ymd.m, checked_ymd.d)
        end
    ), 1)
{%- endmacro %}

{#- A 64-bit hash of a list of values (NULLs included), for a cheap first pass that
    finds which rows could be exact duplicates of another: equal values give equal
    hashes; two different rows may share one (the caller then compares the values). -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'aavail')(columns)) }}
{%- endmacro %}
{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}
