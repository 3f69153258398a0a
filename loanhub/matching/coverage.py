"""Whether a bank may see a lead's judgement right now, and if not, why (a leaf module:
``models`` names it for the attribute that ``judgements`` attaches)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

REASONS = {
    "revoked": _("授权已撤回"),
    "expired": _("授权已过期"),
    "purpose": _("授权用途不含此项"),
    "none": _("未获授权"),
    "refreshing": _("授权已变更，评估更新中"),
}
# A lead whose judgement the bank may see, but computed from less than the data minimum
# (risk_models.sufficiency): no grade, score or PD, and it says so instead of showing a D.
NOT_RATED = _("数据不足，暂不评级")


@dataclass
class Coverage:
    """The bank's right to a lead's judgement right now."""

    visible: bool
    reason: str = ""  # a key of REASONS when not visible
    live_ids: list[int] = field(default_factory=list)
    purpose: str = ""  # of the first live authorization

    @property
    def reason_text(self) -> str:
        return str(REASONS[self.reason]) if self.reason else ""
