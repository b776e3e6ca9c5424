from django import template

from redaction.labels import pii_type_label

register = template.Library()


@register.filter
def pii_label(value: str) -> str:
    return pii_type_label(value)
