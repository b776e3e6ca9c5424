"""`{{ contact.channel|connect_label:"channel" }}`: Connect's enum values in the user's language."""

from __future__ import annotations

from django import template

from search.labels import connect_label as _connect_label

register = template.Library()


@register.filter
def connect_label(value, field: str) -> str:
    return _connect_label(field, value) or "—"
