"""Errors of the reports domain. They subclass Django's own, so the portal's views
and the API's one exception handler map them without knowing this app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _


class ReportFontMissing(ValidationError):
    """No embeddable CJK font on the server: refuse instead of printing boxes."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "服务器未安装可嵌入的中文字体，暂时无法生成信用报告。请管理员安装 "
                "fonts-wqy-zenhei（apt-get install fonts-wqy-zenhei）或设置 LOANHUB_REPORT_FONT。"
            ),
            code="report_font_missing",
        )


class ReportNotAllowed(PermissionDenied):
    """The user may not do this with the enterprise's reports."""


class ReportRevoked(ValidationError):
    def __init__(self) -> None:
        super().__init__(_("该报告已撤回。"), code="report_revoked")


class RequestNotPending(ValidationError):
    def __init__(self) -> None:
        super().__init__(_("该申请已处理。"), code="request_not_pending")
