"""Masking of personal identifiers for people not entitled to see them in full."""

from __future__ import annotations


def _mask(value: str, keep_head: int, keep_tail: int) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= keep_head + keep_tail:
        return "*" * len(value)
    hidden = len(value) - keep_head - keep_tail
    return value[:keep_head] + "*" * hidden + value[len(value) - keep_tail :]


def mask_id_number(value: str) -> str:
    """440103199001011234 → 4401**********1234."""
    return _mask(value, 4, 4)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    return _mask(value, 3, 4)
