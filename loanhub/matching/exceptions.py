"""Errors of the matching domain, raised by services and mapped to messages by views."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class MatchingError(Exception):
    message = _("操作未能完成。")

    def __str__(self) -> str:
        return str(self.message)


class NotEnterpriseMember(MatchingError):
    message = _("您不是该企业的成员，不能代表它申请。")


class ProductNotOpen(MatchingError):
    message = _("该产品暂未上线或已停止接受申请。")


class LeadAlreadyClaimed(MatchingError):
    message = _("该线索已被其他客户经理受理。")


class LeadNotAllowed(MatchingError):
    message = _("您无权处理该线索。")


class LeadStateError(MatchingError):
    message = _("线索当前状态不允许此操作，请刷新后重试。")


class ConsentMissing(MatchingError):
    """Posting needs an authorization that covers the banks that will see the need."""

    message = _("发布融资需求前，需要授权将看到该需求的金融机构查询企业信用信息。")

    def __init__(self, banks: list | None = None, applied: bool = False) -> None:
        super().__init__()
        self.banks = banks or []
        self.applied = applied


class NotEligible(MatchingError):
    message = _("暂不符合该产品的申请条件。")

    def __init__(self, reasons: list[str]) -> None:
        super().__init__()
        self.reasons = reasons


class NeedLocked(MatchingError):
    message = _("已有金融机构受理该需求，不能再修改；如需调整请撤回后重新发布。")
