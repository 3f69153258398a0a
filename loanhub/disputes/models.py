"""Objections (信用异议) and credit repair (信用修复)."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.credit_data.models import CreditRecord
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.storage import private_storage
from loanhub.security.fields import EncryptedJSONField

OBJECTION_DAYS = 20  # 征信业管理条例 §25
ATTACHMENT_TYPES = ["pdf", "jpg", "jpeg", "png"]
attachment_validator = FileExtensionValidator(ATTACHMENT_TYPES)


def _random_name(folder: str, filename: str) -> str:
    """A random storage name that keeps only the (lower-cased) extension: the
    uploader's file name says nothing and no name can be guessed."""
    extension = PurePath(filename).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", extension):
        extension = ""
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


def objection_upload_to(instance: object, filename: str) -> str:
    return _random_name("disputes/objections", filename)


def repair_upload_to(instance: object, filename: str) -> str:
    return _random_name("disputes/repairs", filename)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    CORRECTED = "corrected", _("已更正")
    REMOVED = "removed", _("已删除")
    UPHELD = "upheld", _("维持原记录")


class Objection(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="objections")
    # db_constraint=False: the record table is partitioned on PostgreSQL (credit_data migration 0003), so no
    # unique index on its id alone can exist to reference; records are never deleted, and PROTECT is Django's.
    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="objections", db_constraint=False)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("异议理由"))
    # Private storage (outside MEDIA_ROOT): served only by views.objection_attachment.
    attachment = models.FileField(
        _("证明材料"), upload_to=objection_upload_to, storage=private_storage, blank=True,
        max_length=200, validators=[attachment_validator],
    )  # fmt: skip
    status = models.CharField(_("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    answer = models.TextField(_("书面答复"), blank=True)
    # Sealed (encrypted at rest) when the record's category is sensitive.
    corrected_payload = EncryptedJSONField(_("更正后的内容"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    due_date = models.DateField(_("答复期限"))

    class Meta:
        verbose_name = _("信用异议")
        verbose_name_plural = _("信用异议")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(status="open"), name="one_open_objection_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.record}"

    @staticmethod
    def due_from(created: date) -> date:
        return created + timedelta(days=OBJECTION_DAYS)

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == ObjectionStatus.OPEN and today > self.due_date

    def days_left(self, today: date | None = None) -> int:
        return (self.due_date - (today or timezone.localdate())).days


class RepairStatus(models.TextChoices):
    PENDING = "pending", _("审核中")
    APPROVED = "approved", _("已修复")
    REJECTED = "rejected", _("未通过")


class RepairRequest(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="repairs")
    # no database constraint: see Objection.record
    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="repairs", db_constraint=False)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_on = models.DateField(_("整改完成日期"))
    # Private storage (outside MEDIA_ROOT): served only by views.repair_proof.
    proof = models.FileField(
        _("整改证明"),
        upload_to=repair_upload_to,
        storage=private_storage,
        max_length=200,
        validators=[attachment_validator],
    )
    commitment_text = models.TextField(_("信用承诺书"))
    commitment_signed_at = models.DateTimeField(_("承诺签署时间"))
    status = models.CharField(_("状态"), max_length=10, choices=RepairStatus.choices, default=RepairStatus.PENDING)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(status="pending"), name="one_pending_repair_per_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.record}"
