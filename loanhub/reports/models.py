"""公共信用报告: printable, verifiable credit reports, and banks' requests for them.

A report is immutable once issued: the PDF bytes and their SHA-256 are stored, and
rows are never updated or deleted (like the consent app's access log). Revoking a
report adds a ``ReportRevocation`` row, itself append-only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution

IMMUTABLE = "An issued credit report is immutable."


class ReportPurpose(models.TextChoices):
    FINANCING = "financing", _("融资")
    TENDER = "tender", _("招投标")
    LISTING = "listing", _("上市")
    POLICY = "policy", _("申请政策扶持")
    QUALIFICATION = "qualification", _("资质审批")


class ReportStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤回")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError(IMMUTABLE)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(IMMUTABLE)


class AppendOnlyModel(models.Model):
    """Rows are inserted once; ``save`` on a stored row and ``delete`` refuse."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError(IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(IMMUTABLE)


class CreditReport(AppendOnlyModel):
    """One issued report: what was printed (the PDF) and the facts the public
    verification page shows, copied at issue so a later rename changes nothing."""

    number = models.CharField(_("报告编号"), max_length=24, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="credit_reports", verbose_name=_("企业")
    )
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    enterprise_uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("生成人")
    )
    purpose = models.CharField(_("报告用途"), max_length=16, choices=ReportPurpose.choices)
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"))
    include_score = models.BooleanField(_("包含信用评分"), default=False)
    record_count = models.PositiveIntegerField(_("报告记录数"), default=0)
    pdf = models.BinaryField(_("报告文件"))
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64)
    issued_at = models.DateTimeField(_("生成时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("公共信用报告")
        verbose_name_plural = _("公共信用报告")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="credit_report_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise_name}"

    @property
    def revocation_or_none(self) -> ReportRevocation | None:
        try:
            return self.revocation
        except ReportRevocation.DoesNotExist:
            return None

    @property
    def status(self) -> str:
        revoked = self.revocation_or_none is not None
        return ReportStatus.REVOKED if revoked else ReportStatus.VALID

    @property
    def is_valid(self) -> bool:
        return self.status == ReportStatus.VALID

    def get_status_display(self) -> str:
        return str(ReportStatus(self.status).label)


class ReportRevocation(AppendOnlyModel):
    """The SME withdrew the report: its verification page says 已撤回 from then on."""

    report = models.OneToOneField(
        CreditReport, on_delete=models.PROTECT, related_name="revocation", verbose_name=_("报告")
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("撤回人")
    )
    revoked_at = models.DateTimeField(_("撤回时间"), default=timezone.now)

    class Meta:
        verbose_name = _("报告撤回记录")
        verbose_name_plural = _("报告撤回记录")

    def __str__(self) -> str:
        return f"{self.report_id} {self.revoked_at:%Y-%m-%d %H:%M}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待企业确认")
    APPROVED = "approved", _("企业已同意")
    DECLINED = "declined", _("企业已拒绝")


class ReportRequest(models.Model):
    """A bank asks, from a lead, to see the enterprise's credit report."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="report_requests", verbose_name=_("企业")
    )
    institution = models.ForeignKey(
        FinancialInstitution,
        on_delete=models.PROTECT,
        related_name="report_requests",
        verbose_name=_("金融机构"),
    )
    lead = models.ForeignKey(
        "matching.Lead", on_delete=models.CASCADE, related_name="report_requests", verbose_name=_("线索")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请经办人")
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=RequestStatus.choices,
        default=RequestStatus.PENDING,
        db_index=True,
    )
    report = models.ForeignKey(
        CreditReport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("提供的报告"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("信用报告查看申请")
        verbose_name_plural = _("信用报告查看申请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=models.Q(status="pending"),
                name="one_pending_report_request_per_lead",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(report__isnull=False),
                name="approved_report_request_names_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution} → {self.enterprise.name}（{self.get_status_display()}）"
