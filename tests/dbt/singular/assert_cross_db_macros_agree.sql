-- The engine-specific macros of macros/cross_db/ give DuckDB's values on every
-- engine: each row applies one macro to one value next to the text DuckDB
-- gives for it (written by hand: for doubles, Python's repr, which is DuckDB's
-- layout). Returns the rows where the engine differs. Runs in every build,
-- so the Spark build checks the same values as the DuckDB one.
{%- set double_texts = [
    ('13.0', '13.0'), ('-2.5', '-2.5'), ('0.1', '0.1'), ('1.005', '1.005'),
    ('0.0', '0.0'), ('1234567.0', '1234567.0'), ('12345678.9', '12345678.9'),
    ('1e15', '1000000000000000.0'), ('1e16', '1e+16'), ('0.0001', '0.0001'),
    ('0.00001', '1e-05'), ('-1.5e-7', '-1.5e-07'), ('123456789012345678', '1.2345678901234568e+17'),
    ('1e23', '1e+23'), ('2.82879384806159e17', '2.82879384806159e+17'), ('1e300', '1e+300'),
] -%}
{%- set decimals = [
    ('1.005', '1.00'), ('-1.005', '-1.00'), ('2.675', '2.68'), ('1.115', '1.12'),
    ('0.125', '0.13'), ('-0.125', '-0.13'), ('0.285', '0.28'), ('13.0', '13.00'),
    ('9999999.995', '9999999.99'),
] %}

with

double_cases as (

    -- (value as text, DuckDB's text of the double, DuckDB's DECIMAL(18, 2) of it)
    select
        cases.value,
        cases.expected_text,
        cases.expected_decimal
    from (
        values
        {%- for value, expected in double_texts %}
            ('{{ value }}', '{{ expected }}', null){{ ',' }}
        {%- endfor %}
        {%- for value, expected in decimals %}
            ('{{ value }}', null, '{{ expected }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as cases (value, expected_text, expected_decimal)

),

checks as (

    select
        'value_text(double ' || value || ')' as check_name,
        {{ value_text('cast(value as double)') }} as actual,
        expected_text as expected
    from double_cases
    where expected_text is not null
    union all
    select
        'double_to_decimal(' || value || ', 18, 2)' as check_name,
        cast({{ double_to_decimal('cast(value as double)', 18, 2) }} as string) as actual,
        expected_decimal as expected
    from double_cases
    where expected_decimal is not null
    union all
    select
        'value_text(null double)' as check_name,
        {{ value_text('cast(null as double)') }} as actual,
        null as expected
    union all
    select
        'value_text(bigint, decimal, date, boolean, text)' as check_name,
        concat_ws(
            ' ',
            {{ value_text('cast(42 as bigint)') }},
            {{ value_text('cast(1.5 as decimal(18, 2))') }},
            {{ value_text("cast('2019-03-07' as date)") }},
            {{ value_text('true') }},
            {{ value_text("'abc'") }}
        ) as actual,
        '42 1.50 2019-03-07 true abc' as expected
    union all
    select
        'surrogate_key' as check_name,
        {{ surrogate_key([
            "cast('13.0' as double)", 'cast(null as double)', "cast('1.005' as double)",
            "cast('12345678.9' as double)", "cast('0.00001' as double)", "'C489449'",
            'cast(42 as bigint)',
        ]) }} as actual,
        -- each part `<length>:<DuckDB's text>`, NULL `~` (macros/surrogate_key.sql)
        md5('4:13.0~5:1.00510:12345678.95:1e-057:C4894492:42') as expected
    union all
    select
        'title_case' as check_name,
        {{ title_case("'  rock hILL  of  o''neil '") }} as actual,
        'Rock Hill  Of  O''neil' as expected
    union all
    select
        'regexp_replace_all' as check_name,
        {{ regexp_replace_all("'C489449A1'", "'[^0-9]'", "''") }} as actual,
        '4894491' as expected
    union all
    select
        'text_starts_with' as check_name,
        concat_ws(
            ' ',
            cast({{ text_starts_with("'gift_0001_40'", "'gift_0001'") }} as string),
            cast({{ text_starts_with("'POST'", "'DOT'") }} as string)
        ) as actual,
        'true false' as expected
    union all
    select
        'truncated_number' as check_name,
        concat_ws(
            ' ',
            cast({{ truncated_number("cast('-2.5' as double)") }} as string),
            cast({{ truncated_number("cast('13.0' as double)") }} as string),
            cast({{ truncated_number("cast('2.5' as double)") }} as string)
        ) as actual,
        '-2.0 13.0 2.0' as expected
    union all
    select
        'days_between, date_text, month_day_number' as check_name,
        concat_ws(
            ' ',
            cast(
                {{ days_between("cast('2019-01-01' as date)", "cast('2020-03-01' as date)") }}
                as string
            ),
            {{ date_text("cast('2019-03-07' as date)") }},
            {{ month_day_number("cast('2019-03-07' as date)") }}
        ) as actual,
        '425 2019-03-07 0307' as expected
    union all
    select
        'invalid_cast, invalid_date (the guards of checked_cast, checked_make_date)'
            as check_name,
        concat_ws(
            ' ',
            cast({{ invalid_cast("'abc'", 'integer') }} as string),
            cast({{ invalid_cast("''", 'bigint') }} as string),
            cast({{ invalid_cast("cast('1e19' as double)", 'bigint') }} as string),
            cast({{ invalid_cast("'13'", 'integer') }} as string),
            cast({{ invalid_cast('cast(null as string)', 'integer') }} as string),
            cast({{ invalid_date('2019', '2', '30') }} as string),
            cast({{ invalid_date('1900', '2', '29') }} as string),
            cast({{ invalid_date('2000', '2', '29') }} as string),
            cast({{ invalid_date('2019', '13', '1') }} as string)
        ) as actual,
        'true true true false false true true false true' as expected

),

failures as (

    select * from checks
    where actual is distinct from expected

)

select * from failures
