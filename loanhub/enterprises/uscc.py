"""统一社会信用代码 (Unified Social Credit Code) validation per GB 32100-2015.

An 18-character code: registration authority (1), organisation type (1),
administrative division (6), organisation identifier (9) and a check character
(1). Characters come from the digits and the upper-case letters except I, O, Z,
S and V; the check character is derived from the first 17 with weights 3^i mod 31.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_LENGTH = 18
_VALUES = {ch: i for i, ch in enumerate(USCC_CHARSET)}
_WEIGHTS = [pow(3, i, 31) for i in range(USCC_LENGTH - 1)]
_FORBIDDEN = "IOZSV"


def uscc_check_character(body: str) -> str:
    """Return the check character for the first 17 characters of a code."""
    total = sum(_VALUES[ch] * w for ch, w in zip(body, _WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalized code (trimmed, upper-case) or raise ValidationError.

    The message says what is wrong: the length, the first bad character and its
    position, or the check character expected.
    """
    if not isinstance(value, str):
        raise ValidationError(_("统一社会信用代码必须是文本。"), code="uscc_type")
    code = value.strip().upper()
    if len(code) != USCC_LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。") % {"length": len(code)},
            code="uscc_length",
        )
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUES:
            reason = _("不允许使用字母 I、O、Z、S、V") if ch in _FORBIDDEN else _("非法字符")
            raise ValidationError(
                _("统一社会信用代码第%(pos)d位“%(ch)s”无效：%(reason)s。")
                % {"pos": position, "ch": ch, "reason": reason},
                code="uscc_character",
            )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位应为6位行政区划代码。"), code="uscc_region")
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：第18位应为“%(expected)s”，实际为“%(actual)s”。")
            % {"expected": expected, "actual": code[17]},
            code="uscc_check",
        )
    return code


def uscc_validator(value: str) -> None:
    """Model-field validator wrapper around :func:`validate_uscc`."""
    validate_uscc(value)


def uscc_region(code: str) -> str:
    """The registration authority's administrative division (characters 3–8 of a valid code).

    The enterprise's region is taken from here, never typed in separately.
    """
    return validate_uscc(code)[2:8]
