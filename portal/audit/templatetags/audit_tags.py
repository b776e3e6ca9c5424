import json

from django import template

from portal.audit.labels import action_label as _action_label

register = template.Library()


@register.filter
def as_json(value) -> str:
    """Details as compact JSON (what the CSV and the API show), not Python's repr."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@register.filter
def action_label(action: str) -> str:
    """The action's name in the user's language."""
    return _action_label(action)
