"""{% indicator_definitions widget %}: the definitions beside a dashboard figure."""

from django import template

from indicators import selectors

register = template.Library()


@register.inclusion_tag("indicators/_definitions.html")
def indicator_definitions(widget):
    return {
        "definitions": selectors.definitions_for_tables(widget.table_id, widget.compare_table_id)
    }
