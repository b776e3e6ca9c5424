from django import template

from portal.audit.labels import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """The action's name in the user's language."""
    return _action_label(action)
