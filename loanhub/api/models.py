"""API tokens, and webhook endpoints with their delivery log."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.security.fields import EncryptedTextField


class ApiToken(models.Model):
    """A key for ``Authorization: Token <key>``. Only its SHA-256 is stored.

    A bank user's token is bound to the institution the user belonged to when it was
    made; it stops working if the user leaves that institution.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loanhub_api_tokens",
        verbose_name=_("用户"),
    )  # fmt: skip
    institution = models.ForeignKey(
        "institutions.FinancialInstitution", on_delete=models.CASCADE, null=True, blank=True,
        related_name="loanhub_api_tokens", verbose_name=_("金融机构"),
    )  # fmt: skip
    name = models.CharField(_("名称"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    if TYPE_CHECKING:
        token: str  # the plain key, set once on issue for the response (never stored)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}… {self.name}"


class WebhookEvent(models.TextChoices):
    LEAD_NEW = "lead.new", _("新线索")
    LEAD_OVERDUE = "lead.overdue", _("线索超时")
    LEAD_WITHDRAWN = "lead.withdrawn", _("线索撤回")
    LOAN_ALERT = "loan.alert", _("贷后预警")


def all_events() -> list[str]:
    return list(WebhookEvent.values)


class WebhookEndpoint(models.Model):
    """A bank system's HTTPS endpoint that receives its institution's lead events."""

    institution = models.ForeignKey(
        "institutions.FinancialInstitution", on_delete=models.CASCADE, related_name="webhooks",
        verbose_name=_("金融机构"),
    )  # fmt: skip
    url = models.URLField(_("接收地址"), max_length=500)
    secret = EncryptedTextField(_("签名密钥"))
    events = models.JSONField(_("订阅事件"), default=all_events)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("Webhook 接收地址")
        verbose_name_plural = _("Webhook 接收地址")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url

    @property
    def event_labels(self) -> list[str]:
        return [str(WebhookEvent(e).label) for e in self.events if e in WebhookEvent.values]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    RETRYING = "retrying", _("等待重试")
    SUCCEEDED = "succeeded", _("已送达")
    FAILED = "failed", _("失败")


class WebhookDelivery(models.Model):
    """One event for one endpoint; kept whatever happens to it (the delivery log)."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(_("事件编号"), default=uuid.uuid4, unique=True)
    event = models.CharField(_("事件"), max_length=30, choices=WebhookEvent.choices)
    lead = models.ForeignKey("matching.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING,
        db_index=True,
    )  # fmt: skip
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP POST of a delivery: when, the answer, how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("Webhook 投递尝试")
        verbose_name_plural = _("Webhook 投递尝试")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
