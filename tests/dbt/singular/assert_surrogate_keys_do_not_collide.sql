-- surrogate_key() gives different keys to different lists of values: every
-- pair and every triple of "tricky" values (NULL, '', the separators and
-- markers a naive encoding would use, texts that look like an encoded part)
-- gets a key of its own, e.g. ('a|b', 'c') and ('a', 'b|c'), or NULL, '' and
-- '~'. Returns each key shared by two different lists. As a check that these
-- values are tricky enough, the old encoding (parts joined with '|', NULL as
-- '<null>') must collide on them: if it does not, one row says so. Runs on
-- every engine, so the Spark build checks its encoding too.
{%- set atoms = [
    "", "~", "|", "a", "b", "a|", "|b", "a|b", "b|c", "c", ":", "0:", "1:a", "<null>",
] %}
-- sqlfluff:indentation:template_blocks_indent:False

with

atoms as (

    select cast(listed.atom as string) as atom
    from (
        values
        (null),
        {%- for atom in atoms %}
        ('{{ atom }}'){{ ',' if not loop.last }}
        {%- endfor %}
    ) as listed (atom)

),

pairs as (

    select
        2 as arity,
        first_atoms.atom as first_atom,
        second_atoms.atom as second_atom,
        cast(null as string) as third_atom,
        {{ surrogate_key(['first_atoms.atom', 'second_atoms.atom']) }} as surrogate_key,
        concat_ws(
            '|', coalesce(first_atoms.atom, '<null>'), coalesce(second_atoms.atom, '<null>')
        ) as old_encoding

    from atoms as first_atoms

    cross join atoms as second_atoms

),

triples as (

    select
        3 as arity,
        first_atoms.atom as first_atom,
        second_atoms.atom as second_atom,
        third_atoms.atom as third_atom,
        {{ surrogate_key(['first_atoms.atom', 'second_atoms.atom', 'third_atoms.atom']) }}
            as surrogate_key,
        concat_ws(
            '|',
            coalesce(first_atoms.atom, '<null>'),
            coalesce(second_atoms.atom, '<null>'),
            coalesce(third_atoms.atom, '<null>')
        ) as old_encoding

    from atoms as first_atoms

    cross join atoms as second_atoms

    cross join atoms as third_atoms

),

keyed as (

    select * from pairs
    union all
    select * from triples

),

collisions as (

    select
        arity,
        surrogate_key,
        count(*) as num_value_lists

    from keyed

    group by arity, surrogate_key

    having count(*) > 1

),

old_collisions as (

    select count(*) as num_colliding_encodings
    from (
        select old_encoding
        from keyed
        group by arity, old_encoding
        having count(*) > 1
    ) as colliding

),

final as (

    select
        arity,
        surrogate_key as problem,
        num_value_lists
    from collisions

    union all

    select
        null as arity,
        'the old encoding does not collide on these values: they test nothing' as problem,
        0 as num_value_lists
    from old_collisions
    where num_colliding_encodings = 0

)

select * from final
