"""Enterprises (SMEs) identified by their 统一社会信用代码."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.security.fields import EncryptedTextField

from .catalogs import INDUSTRY_SECTIONS, region_name
from .storage import private_storage
from .uscc import uscc_validator

region_code_validator = RegexValidator(r"^[1-8]\d{5}$", _("行政区划代码应为6位数字，如 440100（广州市）。"))
industry_code_validator = RegexValidator(r"^[A-T](\d{2})?$", _("行业代码应为门类字母加可选两位大类代码，如 C 或 C39。"))

id_number_validator = RegexValidator(r"^\d{17}[\dX]$", _("身份证号应为18位，最后一位可以是数字或大写X。"))
mobile_validator = RegexValidator(r"^1\d{10}$", _("手机号应为以1开头的11位数字。"))


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待认证")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("认证未通过")


class VerificationMethod(models.TextChoices):
    ELEMENTS = "elements", _("企业要素核验")
    LICENCE = "licence", _("营业执照人工审核")
    MIGRATED = "migrated", _("认证功能上线前已注册")
    DEMO = "demo", _("沙箱演示企业")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("微型")
    SMALL = "small", _("小型")
    MEDIUM = "medium", _("中型")
    LARGE = "large", _("大型")


class Enterprise(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[uscc_validator])
    name = models.CharField(_("企业名称"), max_length=200)
    legal_representative = models.CharField(_("法定代表人"), max_length=60)
    # Personal information, encrypted at rest; shown in full only to the
    # enterprise's own members (loanhub.security.masking elsewhere).
    legal_rep_id_number = EncryptedTextField(_("法定代表人身份证号"), blank=True, validators=[id_number_validator])
    legal_rep_phone = EncryptedTextField(_("法定代表人手机号"), blank=True, validators=[mobile_validator])
    region = models.CharField(_("所在地区"), max_length=6, validators=[region_code_validator])
    industry = models.CharField(_("所属行业"), max_length=3, validators=[industry_code_validator])
    registration_date = models.DateField(_("成立日期"))
    registered_capital = models.DecimalField(
        _("注册资本（元）"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    size_class = models.CharField(_("企业规模"), max_length=10, choices=SizeClass.choices, default=SizeClass.SMALL)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("经营地址"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(
        _("沙箱合成数据"),
        default=False,
        help_text=_("由沙箱生成的演示企业，并非真实企业。"),
    )
    # Identity (DESIGN.md §4): a new registration is pending until the legal
    # representative's elements match the registration record or an administrator
    # approves the business licence; until then it sees no records and nobody sees it.
    verification_status = models.CharField(
        _("认证状态"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
        db_index=True,
    )
    verification_method = models.CharField(_("认证方式"), max_length=10, choices=VerificationMethod.choices, blank=True)
    verified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="EnterpriseMembership",
        related_name="enterprises",
        verbose_name=_("成员"),
    )

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def region_name(self) -> str:
        return region_name(self.region)

    @property
    def registered_capital_wan(self) -> Decimal:
        """Registered capital in 万元, as people read it (stored in yuan)."""
        return Decimal(format((Decimal(self.registered_capital) / 10000).normalize(), "f"))  # 100, not 1E+2

    @property
    def industry_name(self) -> str:
        return str(INDUSTRY_SECTIONS.get(self.industry[:1], self.industry))

    def years_in_business(self, on: date | None = None) -> float:
        today = on or timezone.localdate()
        return round((today - self.registration_date).days / 365.25, 1)


class MemberRole(models.TextChoices):
    OWNER = "owner", _("管理员（所有者）")
    MEMBER = "member", _("成员")


class EnterpriseMembership(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enterprise_memberships",
    )
    role = models.CharField(_("成员角色"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("企业成员")
        verbose_name_plural = _("企业成员")
        constraints = [models.UniqueConstraint(fields=["enterprise", "user"], name="unique_enterprise_member")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise.name} ({self.get_role_display()})"


class VerificationAttempt(models.Model):
    """One 企业要素核验 attempt; counted to limit guessing (never the numbers typed)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="verification_attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    succeeded = models.BooleanField(_("是否一致"), default=False)

    class Meta:
        verbose_name = _("企业要素核验记录")
        verbose_name_plural = _("企业要素核验记录")
        indexes = [models.Index(fields=["enterprise", "at"], name="verif_attempt_ent_at")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.at:%Y-%m-%d %H:%M} {self.succeeded}"


class LicenceStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")
    SUPERSEDED = "superseded", _("已失效")


class BusinessLicence(models.Model):
    """An uploaded business licence (营业执照), reviewed by a platform administrator.

    Stored outside MEDIA_ROOT under a random name and served only by a view that
    checks who asks (``enterprises:licence_file``).
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="licences")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    file = models.FileField(_("营业执照文件"), storage=private_storage, max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    status = models.CharField(
        _("审核状态"),
        max_length=10,
        choices=LicenceStatus.choices,
        default=LicenceStatus.PENDING,
        db_index=True,
    )
    reason = models.TextField(_("驳回理由"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("营业执照")
        verbose_name_plural = _("营业执照")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} #{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
