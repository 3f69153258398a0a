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
