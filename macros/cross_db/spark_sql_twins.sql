{#- Helpers of the Spark SQL twins of the Python ml models (models/ml/spark/). -#}

{#- The median of a group's values as numpy computes it: the middle one of the
    sorted values, or the mean of the two middle ones, (a + b) / 2. `count` is
    the number of values every group has (4 weeks, 7 weekdays, 28 days). -#}
{% macro spark_median_of(values, count) -%}
    {%- if count % 2 -%}
        element_at(sort_array(collect_list({{ values }})), {{ (count + 1) // 2 }})
    {%- else -%}
        (element_at(sort_array(collect_list({{ values }})), {{ count // 2 }})
        + element_at(sort_array(collect_list({{ values }})), {{ count // 2 + 1 }})) / 2
    {%- endif -%}
{%- endmacro %}

{#- asinh(x), accurate for small x and for large negative x: Spark's own asinh
    is ln(x + sqrt(x^2 + 1)), which cancels for x << 0 (-inf at -1e8). -#}
{% macro spark_asinh(x) -%}
    (sign({{ x }}) * log1p(abs({{ x }}) + ({{ x }}) * ({{ x }}) / (1 + sqrt(1 + ({{ x }}) * ({{ x }})))))
{%- endmacro %}
