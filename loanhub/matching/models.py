"""Financing applications (the first room of matching; needs and leads come next)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProductApplication(models.Model):
    """An enterprise applies to one product; at most one live application per pair."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        WITHDRAWN = "withdrawn", _("已撤回")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="product_applications",
    )
    # PROTECT: a bank closes or unpublishes a product; it never erases who applied.
    product = models.ForeignKey(
        "cms.FinancingProductPage",
        verbose_name=_("金融产品"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="product_applications",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    note = models.TextField(_("备注"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("产品申请")
        verbose_name_plural = _("产品申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "product"],
                condition=~Q(status="withdrawn"),
                name="unique_open_application_per_product",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} → {self.product.title}"
