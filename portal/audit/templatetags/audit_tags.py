import json

from django import template

register = template.Library()


@register.filter
def as_json(value) -> str:
    """Details as compact JSON (what the CSV and the API show), not Python's repr."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
