"""Durations as people read them."""

from __future__ import annotations

from django import template

register = template.Library()


def _clock(total_seconds: int) -> str:
    hours, rest = divmod(max(0, total_seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@register.filter
def seconds_clock(value) -> str:
    return "—" if value in (None, "") else _clock(int(value))


@register.filter
def millis_clock(value) -> str:
    return "—" if value in (None, "") else _clock(int(value) // 1000)
