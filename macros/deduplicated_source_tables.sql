{#- The raw tables whose exact duplicate rows staging removes, written once:
    rpt_source_deduplication reports them and the singular test
    assert_landed_rows_are_staged_or_counted_duplicates reconciles that
    report with the raw tables. -#}
{% macro deduplicated_source_tables() %}
    {{ return([
        {
            'source_table': 'raw_crm.customer',
            'source_name': 'crm',
            'table_name': 'customer',
            'staging_model': 'stg_crm__customers',
            'kept_in': 'stg_crm__customers',
        },
        {
            'source_table': 'raw_streaming.streams',
            'source_name': 'streaming',
            'table_name': 'streams',
            'staging_model': 'stg_streaming__streams',
            'kept_in': 'stg_streaming__streams',
        },
        {
            'source_table': 'raw_billing.invoice_lines',
            'source_name': 'billing',
            'table_name': 'invoice_lines',
            'staging_model': 'stg_billing__invoice_lines',
            'kept_in': 'fct_invoice_lines',
        },
    ]) }}
{% endmacro %}
