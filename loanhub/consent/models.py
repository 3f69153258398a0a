"""Authorization artefacts (授权) and the access log (查询记录)."""

from __future__ import annotations

from datetime import date, datetime
from typing import NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.credit_data.catalog import CATEGORY_BY_CODE
from loanhub.enterprises.models import Enterprise
from loanhub.institutions.models import FinancialInstitution

MAX_VALIDITY_DAYS = 366  # "at most 12 months"


class GranteeType(models.TextChoices):
    PLATFORM = "platform", _("平台（用于本企业的信用画像与评分）")
    INSTITUTION = "institution", _("指定金融机构")
    APPLIED = "applied", _("我申请或对接的金融机构")


class Purpose(models.TextChoices):
    MATCHING = "matching", _("融资对接")
    UNDERWRITING = "underwriting", _("贷前审查")
    MONITORING = "monitoring", _("贷后管理")


class AuthorizationStatus(models.TextChoices):
    ACTIVE = "active", _("生效中")
    REVOKED = "revoked", _("已撤回")
    EXPIRED = "expired", _("已过期")


class AuthorizationQuerySet(models.QuerySet):
    def live(self, at: datetime | None = None) -> AuthorizationQuerySet:
        """Artefacts in force at ``at``: expiry is a matter of time, not of a job."""
        at = at or timezone.now()
        return self.filter(status=AuthorizationStatus.ACTIVE, valid_from__lte=at, expires_at__gt=at)


class Authorization(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="authorizations")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grantee_type = models.CharField(_("被授权方"), max_length=12, choices=GranteeType.choices)
    institution = models.ForeignKey(
        FinancialInstitution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorizations",
        verbose_name=_("金融机构"),
    )
    purpose = models.CharField(_("用途"), max_length=12, choices=Purpose.choices)
    categories = models.JSONField(_("信息类别"), default=list)
    data_from = models.DateField(_("数据起始日期"))
    valid_from = models.DateTimeField(_("生效时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    text_version = models.CharField(_("授权书版本"), max_length=20)
    text = models.TextField(_("授权书全文"))
    text_hash = models.CharField(_("授权书摘要（SHA-256）"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=10, choices=AuthorizationStatus.choices, default=AuthorizationStatus.ACTIVE
    )
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("签署时间"), default=timezone.now)

    objects = AuthorizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("授权书")
        verbose_name_plural = _("授权书")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grantee_type="institution", institution__isnull=False)
                | ~models.Q(grantee_type="institution"),
                name="institution_grantee_names_institution",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("valid_from")),
                name="authorization_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {self.grantee_label}（{self.get_purpose_display()}）"

    @property
    def grantee_label(self) -> str:
        if self.grantee_type == GranteeType.INSTITUTION and self.institution:
            return self.institution.name
        return str(self.get_grantee_type_display())

    def effective_status(self, at: datetime | None = None) -> str:
        at = at or timezone.now()
        if self.status == AuthorizationStatus.REVOKED:
            return AuthorizationStatus.REVOKED
        if at >= self.expires_at:
            return AuthorizationStatus.EXPIRED
        return AuthorizationStatus.ACTIVE

    def effective_status_label(self) -> str:
        return str(AuthorizationStatus(self.effective_status()).label)

    def is_live(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        return self.effective_status(at) == AuthorizationStatus.ACTIVE and self.valid_from <= at

    def category_names(self) -> list[str]:
        return [str(CATEGORY_BY_CODE[c].name) for c in self.categories if c in CATEGORY_BY_CODE]

    def covers_date(self, day: date) -> bool:
        return day >= self.data_from


class Channel(models.TextChoices):
    PORTAL = "portal", _("门户")
    BACK_OFFICE = "back_office", _("后台")
    API = "api", _("接口")
    WEBHOOK = "webhook", _("消息推送")
    EXPORT = "export", _("导出")
    SYSTEM = "system", _("系统")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The access log is append-only.")

    def delete(self) -> NoReturn:
        raise PermissionError("The access log is append-only.")


class AccessLog(models.Model):
    """Who read which enterprise's credit data, when, why and how. Append-only."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="access_logs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    institution = models.ForeignKey(
        FinancialInstitution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorization = models.ForeignKey(
        Authorization, on_delete=models.PROTECT, null=True, blank=True, related_name="reads"
    )
    categories = models.JSONField(_("信息类别"), default=list)
    purpose = models.CharField(_("用途"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("查询时间"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("查询记录")
        verbose_name_plural = _("查询记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.enterprise_id} {self.channel}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> NoReturn:
        raise PermissionError("The access log is append-only.")

    def category_names(self) -> list[str]:
        return [str(CATEGORY_BY_CODE[c].name) for c in self.categories if c in CATEGORY_BY_CODE]

    @property
    def purpose_label(self) -> str:
        try:
            return str(Purpose(self.purpose).label)
        except ValueError:
            return self.purpose
