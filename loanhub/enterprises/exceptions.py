"""Errors of the enterprises domain, raised by services and mapped by views."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOT_VERIFIED_MESSAGE = _(
    "企业尚未完成认证（待认证）。认证通过前不能查看信用记录和评分、签署授权、"
    "发布融资需求或申请产品；请企业管理员在“企业认证”页完成认证。"
)


class EnterpriseNotVerified(ValidationError):
    """A service refused to act for an enterprise that is not verified yet."""

    def __init__(self) -> None:
        super().__init__(NOT_VERIFIED_MESSAGE, code="enterprise_not_verified")


class EnterprisePageNotVerified(PermissionDenied):
    """A private enterprise page refused while the enterprise is not verified."""

    def __init__(self) -> None:
        super().__init__(str(NOT_VERIFIED_MESSAGE))


class VerificationLocked(ValidationError):
    """Too many failed 企业要素核验 attempts: locked until ``until``."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        local = timezone.localtime(until)
        super().__init__(
            _("核验失败次数过多，已暂停在线核验。请于 %(until)s 之后再试，或上传营业执照由平台人工审核。")
            % {"until": local.strftime("%Y-%m-%d %H:%M")},
            code="verification_locked",
        )
