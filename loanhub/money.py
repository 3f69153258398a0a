"""Money at the boundary: amounts are stored in 元 (yuan) and shown and typed in 万元.

People in Chinese SME lending think in 万元 (an officer types 150 for 1.5 million); the
database, the matching engine and the API keep 元. The conversion happens in exactly two
places: :class:`WanYuanField` (forms) and :func:`format_wan` (pages, via the ``wan``
template filter in ``loanhub.matching.templatetags.money``). :class:`PercentField` does
the same for probabilities stored as fractions (PD 0.05 is typed and shown as 5 %).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

WAN = Decimal(10000)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def yuan_to_wan(value: object) -> Decimal | None:
    """元 → 万元, exact (no rounding): 1500000 → 150."""
    amount = _decimal(value)
    return None if amount is None else amount / WAN


def wan_to_yuan(value: object) -> Decimal | None:
    """万元 → 元, to the fen: 150 → 1500000.00."""
    amount = _decimal(value)
    return None if amount is None else (amount * WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _plain(value: Decimal, places: int) -> str:
    """Thousands separators, at most ``places`` decimals, no trailing zeros: 1,234.5."""
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_wan(value: object, places: int = 2) -> str:
    """An amount in 元 written in 万元 with separators: 1500000 → "150", 12345678 → "1,234.57".

    An amount under 1 万元 keeps four decimals (to the 元), so an absurd figure stays
    visible as what it is: 150 元 → "0.015", never "0.02" or "0".
    """
    wan = yuan_to_wan(value)
    if wan is None:
        return "—"
    return _plain(wan, places if abs(wan) >= 1 else 4)


def format_percent(fraction: object, places: int = 1) -> str:
    """A probability stored as a fraction, as a percentage: 0.047 → "4.7%"."""
    value = _decimal(fraction)
    if value is None:
        return "—"
    return _plain(value * 100, places) + "%"


class WanYuanField(forms.DecimalField):
    """Typed and shown in 万元, cleaned to 元.

    ``initial`` and instance values are in 元 (what is stored) and are shown divided by
    10,000; what the user typed (a string) is shown back as typed. ``min_value`` and
    ``max_value`` are in 万元, as the user reads them in the messages.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 6)  # to the fen
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("step", "any")
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) or value is None:
            return value  # typed by the user: show it back unchanged
        wan = yuan_to_wan(value)
        return value if wan is None else _plain(wan, 6).replace(",", "")

    def clean(self, value: Any) -> Decimal | None:
        wan = super().clean(value)
        return wan_to_yuan(wan)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            typed = wan_to_yuan(self.to_python(data))
        except forms.ValidationError:
            return True
        return _decimal(initial) != typed


class PercentField(forms.DecimalField):
    """Typed and shown as a percentage (5 = 5 %), cleaned to a fraction (0.05)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("error_messages", {"max_value": _("百分比应在0到100之间。")})
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("step", "any")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) or value is None:
            return value
        fraction = _decimal(value)
        return value if fraction is None else _plain(fraction * 100, 2).replace(",", "")

    def clean(self, value: Any) -> Decimal | None:
        percent = super().clean(value)
        return None if percent is None else (percent / 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            typed = self.clean(data)
        except forms.ValidationError:
            return True
        return _decimal(initial) != typed
