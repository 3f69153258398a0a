"""The public-credit record store."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanhub.security.fields import EncryptedJSONField

from .catalog import CATEGORY_BY_CODE, Category, category_choices


class ProviderKind(models.TextChoices):
    SANDBOX = "sandbox", _("沙箱")
    FILE = "file", _("文件交换")
    HTTP = "http", _("接口对接")


class Provider(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=ProviderKind.choices)

    class Meta:
        verbose_name = _("数据来源")
        verbose_name_plural = _("数据来源")

    def __str__(self) -> str:
        return self.name


# A record's natural key hashes its category, USCC, date and identifying columns, so the USCC is
# implied by the key: (natural_key, uscc) is unique exactly when natural_key is. The USCC is in
# the constraint because PostgreSQL partitions the table by a hash of it (migration 0003) and a
# partitioned table's unique constraints must contain the partition key.
NATURAL_KEY_FIELDS = ("natural_key", "uscc")


class CreditRecord(models.Model):
    """One public-credit record about one enterprise (by USCC).

    Records may arrive before the enterprise registers, so they are keyed by
    USCC, not by a foreign key. ``natural_key`` makes a record unique: the same
    record imported twice is stored once.

    On PostgreSQL the table is partitioned by a hash of ``uscc`` (16 partitions, migration
    0003; the measurements and plans are in docs/architecture.md): one enterprise's records
    are in one partition. The primary key there is ``(id, uscc)`` (ids still come from one
    sequence), so other tables reference records without a database constraint
    (``db_constraint=False``); Django still applies their ``on_delete``.

    The payload of a sensitive catalog category (tax amounts) is encrypted at rest
    and its ``payload_hash`` is keyed (HMAC), so neither the stored value nor the hash
    gives the amount away; Python code reads ``payload`` in the clear either way.
    """

    # no index of its own: the (uscc, category, record_date) index starts with it
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    category = models.CharField(_("信息类别"), max_length=20, choices=category_choices(), db_index=True)
    record_date = models.DateField(_("记录日期"))
    payload = EncryptedJSONField(_("内容"), default=dict, seal_when="is_sensitive")
    natural_key = models.CharField(max_length=64)  # unique with the USCC: NATURAL_KEY_FIELDS
    payload_hash = models.CharField(max_length=64)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="records")
    source_ref = models.CharField(_("来源标识"), max_length=200, blank=True)
    batch = models.ForeignKey("ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="records")
    # Set by the disputes app: an open objection, an objection that removed the
    # record, or an approved credit repair. The record stays in history.
    under_objection = models.BooleanField(_("异议处理中"), default=False)
    removed_at = models.DateTimeField(_("经异议删除"), null=True, blank=True)
    repaired_on = models.DateField(_("信用修复日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("入库时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["uscc", "category", "-record_date"]
        indexes = [models.Index(fields=["uscc", "category", "record_date"])]
        constraints = [models.UniqueConstraint(fields=NATURAL_KEY_FIELDS, name="credit_data_record_natural_key")]

    def __str__(self) -> str:
        return f"{self.uscc} {self.get_category_display()} {self.record_date}"

    @property
    def category_info(self) -> Category:
        return CATEGORY_BY_CODE[self.category]

    @property
    def is_sensitive(self) -> bool:
        """A sensitive catalog category: its payload is stored encrypted."""
        category = CATEGORY_BY_CODE.get(self.category)
        return bool(category and category.sensitive)

    @property
    def severity(self) -> str:
        return str(self.payload.get("severity", ""))

    @property
    def display_items(self) -> list[tuple[str, object]]:
        """(label, value) pairs of the payload in the catalog's column order."""
        from .schema import COLUMNS

        columns = COLUMNS.get(self.category, ())
        return [(str(c.label), self.payload[c.name]) for c in columns if self.payload.get(c.name) not in (None, "")]

    @property
    def display_fields(self) -> list[tuple[str, str]]:
        """(label, value) as people read them: Chinese labels for coded values (schema.VALUE_LABELS)."""
        from .schema import COLUMNS, display_value

        columns = COLUMNS.get(self.category, ())
        return [
            (str(c.label), display_value(c, self.payload[c.name]))
            for c in columns
            if self.payload.get(c.name) not in (None, "")
        ]

    @property
    def effective_repaired_on(self) -> date | None:
        from .rules import parse_date

        return self.repaired_on or parse_date(self.payload.get("repaired_on"))


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportBatch(models.Model):
    """One file (or provider fetch) imported into the store, with its report."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="batches")
    category = models.CharField(_("信息类别"), max_length=20, choices=category_choices())
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.RUNNING)
    error = models.TextField(_("错误"), blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_loaded = models.PositiveIntegerField(_("新增"), default=0)
    rows_updated = models.PositiveIntegerField(_("更新"), default=0)
    rows_skipped = models.PositiveIntegerField(_("重复跳过"), default=0)
    rows_rejected = models.PositiveIntegerField(_("拒收"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理"), default=0)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name or self.provider} · {self.get_category_display()}"

    @property
    def duration(self) -> timedelta | None:
        return (self.finished_at - self.started_at) if self.finished_at else None


class ImportRejection(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(_("行号"))
    reason = models.CharField(_("原因"), max_length=500)
    raw = models.JSONField(_("原始内容"), default=dict)

    class Meta:
        verbose_name = _("拒收行")
        verbose_name_plural = _("拒收行")
        ordering = ["batch", "row_number"]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.row_number}: {self.reason}"
