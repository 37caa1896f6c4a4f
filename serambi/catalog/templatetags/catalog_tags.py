from django import template

from serambi.catalog.languages import language_label

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """A MARC language code as staff read it: "Javanese (jav)"."""
    return language_label(code or "")
