-- Every stream code matches at most one row of the seed stream_code_types
-- under the one matching rule (macro stream_code_matches). Checked for every
-- billed code and for every row's own code: two rows overlap exactly when one
-- row's code matches the other row too (two exact codes equal but for case,
-- an exact code starting with a prefix, a prefix starting with another), so
-- an overlap in the seed fails even before a code hitting both is billed.
-- Returns each code that matches two or more rows.

with

stream_code_types as (

    select * from {{ ref('stream_code_types') }}

),

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

codes as (

    select distinct stream_id as stream_code from invoice_lines
    union
    select stream_code from stream_code_types

),

matches as (

    select
        codes.stream_code,
        count(*) as num_matching_rules,
        min(stream_code_types.match_type || ' ' || stream_code_types.stream_code) as first_rule,
        max(stream_code_types.match_type || ' ' || stream_code_types.stream_code) as last_rule

    from codes

    inner join stream_code_types
        on {{ stream_code_matches('codes.stream_code', 'stream_code_types') }}

    group by codes.stream_code

),

final as (

    select * from matches
    where num_matching_rules > 1

)

select * from final
