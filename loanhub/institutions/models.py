"""Financial institutions (banks), their branches and their staff."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.enterprises.catalogs import region_name
from loanhub.enterprises.models import region_code_validator


class InstitutionType(models.TextChoices):
    STATE_OWNED = "state_owned", _("国有大型商业银行")
    JOINT_STOCK = "joint_stock", _("股份制商业银行")
    CITY_COMMERCIAL = "city_commercial", _("城市商业银行")
    RURAL_COMMERCIAL = "rural_commercial", _("农村商业银行")
    POLICY = "policy", _("政策性银行")
    VILLAGE = "village", _("村镇银行")
    GUARANTEE = "guarantee", _("融资担保公司")
    MICRO_LOAN = "micro_loan", _("小额贷款公司")


class FinancialInstitution(models.Model):
    name = models.CharField(_("机构名称"), max_length=120, unique=True)
    short_name = models.CharField(_("简称"), max_length=40)
    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    type = models.CharField(_("机构类型"), max_length=20, choices=InstitutionType.choices)
    licence_number = models.CharField(_("金融许可证号"), max_length=40, unique=True)
    head_office = models.CharField(_("总部地址"), max_length=200)
    region = models.CharField(_("所在地区"), max_length=6, validators=[region_code_validator])
    phone = models.CharField(_("客服电话"), max_length=30, blank=True)
    website = models.URLField(_("网站"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("金融机构")
        verbose_name_plural = _("金融机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def region_name(self) -> str:
        return region_name(self.region)


class Branch(models.Model):
    institution = models.ForeignKey(FinancialInstitution, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(_("网点名称"), max_length=120)
    region = models.CharField(_("所在地区"), max_length=6, validators=[region_code_validator])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("分支机构")
        verbose_name_plural = _("分支机构")
        ordering = ["institution", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="unique_branch_name")]

    def __str__(self) -> str:
        return f"{self.institution.short_name} {self.name}"


class StaffRole(models.TextChoices):
    OFFICER = "officer", _("客户经理")
    MANAGER = "manager", _("主管")


class InstitutionMembership(models.Model):
    """A bank officer or manager belongs to exactly one institution."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="institution_membership",
    )
    institution = models.ForeignKey(FinancialInstitution, on_delete=models.CASCADE, related_name="memberships")
    branch = models.ForeignKey(Branch, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff")
    role = models.CharField(_("岗位"), max_length=10, choices=StaffRole.choices)
    joined_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("机构人员")
        verbose_name_plural = _("机构人员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution.short_name} ({self.get_role_display()})"
