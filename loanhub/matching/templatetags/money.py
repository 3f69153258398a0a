"""``{% load money %}``: amounts stored in 元 shown in 万元, fractions as percentages.

{{ lead.approved_amount|wan }} 万元   →  150 万元
{{ lead.pd|percent }}                →  4.7%
"""

from __future__ import annotations

from django import template

from loanhub.money import format_percent, format_wan

register = template.Library()


@register.filter
def wan(value: object) -> str:
    """元 → 万元 with thousands separators (1500000 → "150"; 12345678 → "1,234.57")."""
    return format_wan(value)


@register.filter
def percent(value: object) -> str:
    """A fraction as a percentage (0.047 → "4.7%")."""
    return format_percent(value)
