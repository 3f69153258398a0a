"""Model registry and the audit trail of every score given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.credit_data.catalog import CATEGORY_BY_CODE, CATEGORY_CODES
from loanhub.enterprises.models import Enterprise
from loanhub.security.fields import EncryptedJSONField


class ModelVersion(models.Model):
    version = models.CharField(_("版本"), max_length=80, unique=True)
    path = models.CharField(_("模型目录"), max_length=500)
    card = models.JSONField(_("模型卡"), default=dict)
    is_active = models.BooleanField(_("当前启用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # A challenger is trained on the platform's own book (loanhub.learning) and compared with the
    # active model on the same out-of-time window (``comparison``); only an administrator activates it.
    is_challenger = models.BooleanField(_("挑战者模型"), default=False)
    comparison = models.JSONField(_("与启用模型的对比"), default=dict, blank=True)

    class Meta:
        verbose_name = _("评分模型")
        verbose_name_plural = _("评分模型")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model")
        ]

    def __str__(self) -> str:
        return self.version

    @property
    def metrics(self) -> dict:
        return self.card.get("metrics", {})


class Trigger(models.TextChoices):
    DATA_CHANGE = "data_change", _("数据变化")
    CONSENT_CHANGE = "consent_change", _("授权变化")
    ON_DEMAND = "on_demand", _("按需评分")
    BATCH = "batch", _("批量重评")
    CORRECTION = "correction", _("异议更正")
    REPAIR = "repair", _("信用修复")


class ScoreRecord(models.Model):
    """One score given: kept for ever as the audit trail of automated decisions.

    ``features`` and ``reasons`` hold the input values (tax amounts among them) and
    reason texts that embed them: they are encrypted at rest when the score could use
    a sensitive catalog category (``uses_sensitive_data``), plain JSON otherwise.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="scores")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="scores")
    as_of = models.DateField(_("评分基准日"))
    categories = models.JSONField(_("使用的信息类别"), default=list)
    scope = models.CharField(_("评分范围"), max_length=40, default="full")
    inputs_hash = models.CharField(_("输入摘要"), max_length=64)
    pd = models.FloatField(_("违约概率"))
    score = models.PositiveSmallIntegerField(_("信用分"))
    grade = models.CharField(_("等级"), max_length=1)
    knockout = models.BooleanField(_("政策否决（失信被执行人）"), default=False)
    reasons = EncryptedJSONField(_("原因码"), default=list, seal_when="uses_sensitive_data")
    features = EncryptedJSONField(_("特征值"), default=dict, seal_when="uses_sensitive_data")
    trigger = models.CharField(_("触发原因"), max_length=20, choices=Trigger.choices)
    created_at = models.DateTimeField(_("评分时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("评分记录")
        verbose_name_plural = _("评分记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "scope", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.score} ({self.grade})"

    @property
    def pd_percent(self) -> float:
        return round(self.pd * 100, 1)

    @property
    def uses_sensitive_data(self) -> bool:
        """Scored with a sensitive catalog category (no categories listed: all of them)."""
        codes = self.categories or CATEGORY_CODES
        return any(CATEGORY_BY_CODE[c].sensitive for c in codes if c in CATEGORY_BY_CODE)

    @property
    def raising(self) -> list[dict]:
        return [r for r in self.reasons if r.get("direction") == "raises"]

    @property
    def lowering(self) -> list[dict]:
        return [r for r in self.reasons if r.get("direction") == "lowers"]


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class RescoreJob(models.Model):
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(_("企业数"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    model_version = models.ForeignKey(ModelVersion, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量重评任务")
        verbose_name_plural = _("批量重评任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pk} {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == JobStatus.DONE else 0)


class ApprovalModelVersion(models.Model):
    """A learned approval-likelihood model (``risk_models.approval``), trained on the banks' own
    decisions once there are enough of them. While none is active matching estimates the
    likelihood with its rule formula. Kept apart from the PD models: it never scores an enterprise."""

    version = models.CharField(_("版本"), max_length=80, unique=True)
    path = models.CharField(_("模型目录"), max_length=500)
    card = models.JSONField(_("模型卡"), default=dict)
    is_active = models.BooleanField(_("当前启用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("获批可能性模型")
        verbose_name_plural = _("获批可能性模型")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_approval_model"
            )
        ]

    def __str__(self) -> str:
        return self.version

    @property
    def metrics(self) -> dict:
        return self.card.get("metrics", {})
