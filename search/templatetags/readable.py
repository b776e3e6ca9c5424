"""Numbers as people read them, in the user's language: `{{ x|score }}` (a sentiment or
other score, at most two decimals), `{{ x|percent }}`, `{{ x|duration }}` (4:05, 1:02:05)."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


def _rounded(value, places: int) -> Decimal | None:
    """`value` rounded to `places` decimals, without trailing zeros (None if not a number)."""
    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return Decimal(0) if number.is_zero() else number.normalize()


@register.filter
def score(value, places: int = 2) -> str:
    """0.5555555555555556 -> 0.56, 1.50 -> 1.5, -2.0 -> -2; "—" for none."""
    if value in (None, ""):
        return "—"
    number = _rounded(value, int(places))
    return str(value) if number is None else number_format(number, use_l10n=True)


@register.filter
def percent(value, places: int = 1) -> str:
    if value in (None, ""):
        return "—"
    return f"{score(value, places)}%"


@register.filter
def duration(value) -> str:
    """Seconds (or a timedelta) as a clock: 4:05, 1:02:05."""
    if value in (None, ""):
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else float(value))
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
