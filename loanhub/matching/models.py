"""Financing needs, leads and their events; the platform's matching settings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from loanhub.money import format_wan

if TYPE_CHECKING:
    from loanhub.scoring.models import ScoreRecord

    from .coverage import Coverage


# --------------------------------------------------------------------------- needs


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般（3个月内）")
    SOON = "soon", _("较急（1个月内）")
    URGENT = "urgent", _("紧急（1周内）")


class Visibility(models.TextChoices):
    ALL = "all", _("所有匹配的金融机构")
    CHOSEN = "chosen", _("仅指定的金融机构")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("对接中")
    CLAIMED = "claimed", _("已受理")
    FUNDED = "funded", _("已放款")
    WITHDRAWN = "withdrawn", _("已撤回")
    CLOSED = "closed", _("已结束")


class NeedSource(models.TextChoices):
    POSTED = "posted", _("发布融资需求")
    DIRECT = "direct", _("直接申请产品")
    REFERRAL = "referral", _("转介")
    RENEWAL = "renewal", _("续贷")


class FinancingNeed(models.Model):
    """融资需求: what an SME wants to borrow, and which banks may see it."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="needs", verbose_name=_("企业")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    amount = models.DecimalField(_("融资金额（元）"), max_digits=14, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    purpose = models.CharField(_("资金用途"), max_length=300)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    collateral_offered = models.JSONField(_("可提供的担保方式"), default=list)
    product_types = models.JSONField(_("期望的产品类型"), default=list, blank=True)
    visibility = models.CharField(_("可见范围"), max_length=10, choices=Visibility.choices, default=Visibility.ALL)
    banks = models.ManyToManyField(
        "institutions.FinancialInstitution", blank=True, related_name="+", verbose_name=_("指定金融机构")
    )
    source = models.CharField(_("来源"), max_length=10, choices=NeedSource.choices, default=NeedSource.POSTED)
    status = models.CharField(_("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {format_wan(self.amount)}万元 · {self.term_months}个月"

    @property
    def amount_wan(self) -> float:
        return float(self.amount) / 10000


# --------------------------------------------------------------------------- leads


class LeadStatus(models.TextChoices):
    NEW = "new", _("待受理")
    CLAIMED = "claimed", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    APPROVED = "approved", _("已批准")
    DECLINED = "declined", _("未通过")
    DISBURSED = "disbursed", _("已放款")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_LEAD_STATUSES = (LeadStatus.NEW, LeadStatus.CLAIMED, LeadStatus.IN_REVIEW)


class DeclineReason(models.TextChoices):
    CREDIT = "credit", _("信用状况暂不符合本产品的要求")
    REVENUE = "revenue", _("经营规模或收入暂不满足本产品的要求")
    LEVERAGE = "leverage", _("现有负债水平偏高")
    COLLATERAL = "collateral", _("缺少本产品所需的抵押或担保")
    INDUSTRY = "industry", _("所属行业暂不在本产品的支持范围内")
    MATERIALS = "materials", _("申请材料不完整，请补充后再申请")
    RECORDS = "records", _("存在未结的司法案件或行政处罚记录")
    DUPLICATE = "duplicate", _("已在本机构有同类贷款或申请")


class Lead(models.Model):
    """A (need, product) pair a bank receives, with its lifecycle (DESIGN.md §6)."""

    need = models.ForeignKey(FinancingNeed, on_delete=models.CASCADE, related_name="leads")
    product = models.ForeignKey(
        "cms.FinancingProductPage", on_delete=models.PROTECT, related_name="leads", verbose_name=_("金融产品")
    )
    institution = models.ForeignKey(
        "institutions.FinancialInstitution", on_delete=models.PROTECT, related_name="leads",
        verbose_name=_("金融机构"),
    )  # fmt: skip
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="leads", verbose_name=_("企业")
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW, db_index=True
    )
    source = models.CharField(_("来源"), max_length=10, choices=NeedSource.choices, default=NeedSource.POSTED)
    referred_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    # Match facts at the time the lead was made.
    grade = models.CharField(_("等级"), max_length=1, blank=True)
    pd = models.FloatField(_("违约概率"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("信用分"), null=True, blank=True)
    likelihood = models.FloatField(_("获批可能性"), default=0)
    bank_score = models.FloatField(_("机构排序分"), default=0, db_index=True)
    expected_value = models.FloatField(_("风险调整收益（元）"), default=0)
    # What the bank may see of the judgement fields above (grade … expected_value):
    # the live authorizations they were computed from (sorted ids, comma-separated;
    # empty = none), the categories those cover and when the first of them ends.
    # A read shows them only while exactly these authorizations are still live
    # (loanhub.matching.judgements).
    judgement_basis = models.CharField(_("评估依据的授权"), max_length=200, blank=True, default="")
    judgement_categories = models.JSONField(_("评估使用的信息类别"), default=list, blank=True)
    judgement_until = models.DateTimeField(_("评估有效至"), null=True, blank=True)
    # Response clocks.
    claim_deadline = models.DateTimeField(_("受理期限"))
    decision_deadline = models.DateTimeField(_("审批期限"))
    is_overdue = models.BooleanField(_("已超时"), default=False, db_index=True)
    overdue_stage = models.CharField(_("超时环节"), max_length=10, blank=True)
    overdue_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    # Who did what.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("受理人"),
    )  # fmt: skip
    claimed_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decline_reasons = models.JSONField(_("未通过原因"), default=list, blank=True)
    decline_note = models.CharField(_("补充说明"), max_length=500, blank=True)
    approved_amount = models.DecimalField(_("批准金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    approved_rate = models.DecimalField(_("批准年化利率（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    approved_term = models.PositiveSmallIntegerField(_("批准期限（月）"), null=True, blank=True)
    disbursed_amount = models.DecimalField(_("放款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    disbursed_on = models.DateField(_("放款日期"), null=True, blank=True)
    defaulted = models.BooleanField(_("已违约"), null=True, blank=True)
    is_first_loan = models.BooleanField(_("首贷"), default=False)
    created_at = models.DateTimeField(_("推送时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    if TYPE_CHECKING:
        # Attached by judgements.leads_with_judgements: what the viewer may see of the judgement.
        coverage: Coverage
        # Attached by the API's lead detail for its serializer.
        # (a credit_data.selectors.CreditProfile; not imported: selectors sit above models)
        credit_profile: Any
        scoped_score: ScoreRecord | None

    class Meta:
        verbose_name = _("线索")
        verbose_name_plural = _("线索")
        ordering = ["-bank_score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "product"], name="one_lead_per_need_and_product"),
            models.CheckConstraint(
                condition=Q(approved_rate__isnull=True) | Q(approved_rate__gte=0, approved_rate__lte=36),
                name="lead_rate_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status", "-bank_score"]),
            # the bank's ranked list with no status filter (the API's default order)
            models.Index(fields=["institution", "-bank_score", "id"], name="lead_bank_rank"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.enterprise.name} → {self.product.title}"

    @property
    def decline_reason_texts(self) -> list[str]:
        labels = dict(DeclineReason.choices)
        return [str(labels.get(code, code)) for code in self.decline_reasons]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LEAD_STATUSES

    @property
    def pd_percent(self) -> str:
        return "—" if self.pd is None else f"{self.pd * 100:.1f}%"

    @property
    def open_deadline(self) -> tuple[str, datetime] | None:
        """The deadline the lead is waiting on: claiming while new, the decision once claimed."""
        if self.status == LeadStatus.NEW:
            return str(_("受理")), self.claim_deadline
        if self.status in (LeadStatus.CLAIMED, LeadStatus.IN_REVIEW):
            return str(_("审批")), self.decision_deadline
        return None

    @property
    def grade_text(self) -> str:
        """The grade, or why there is none: judged without a grade means below the data minimum."""
        from .coverage import NOT_RATED  # a leaf module; imported here to keep the model imports short

        if self.grade:
            return self.grade
        return str(NOT_RATED) if self.judgement_basis else "—"

    @property
    def likelihood_percent(self) -> str:
        # No score (not rated, or nothing the bank may see): no likelihood was computed, not 0%.
        return "—" if self.score is None else f"{self.likelihood * 100:.0f}%"


class LeadEvent(models.Model):
    """One step of a lead's timeline: who moved it where, when."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("线索事件")
        verbose_name_plural = _("线索事件")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def kind_text(self) -> str:
        """The step in words (the back office's timeline; never the stored code)."""
        return str(EVENT_LABELS.get(self.kind, _("其他")))

    @property
    def note_text(self) -> str:
        """The note in words: a lead's source or an overdue stage are stored as codes."""
        if self.kind == "created":
            return str(dict(NeedSource.choices).get(self.note, self.note))
        if self.kind == "overdue":
            return str(OVERDUE_STAGES.get(self.note, self.note))
        return self.note


EVENT_LABELS = {
    "created": _("推送给金融机构"),
    "claimed": _("受理"),
    "assigned": _("分配客户经理"),
    "in_review": _("进入审查"),
    "approved": _("批准"),
    "declined": _("未通过"),
    "disbursed": _("放款"),
    "overdue": _("超时，已提醒主管"),
    "withdrawn": _("企业撤回"),
    "need_changed": _("企业修改需求，线索关闭"),
    "contact_revealed": _("查看法定代表人手机号"),
}
OVERDUE_STAGES = {"claim": _("未在受理期限内受理"), "decision": _("未在审批期限内作出决定")}


class MessageSide(models.TextChoices):
    BANK = "bank", _("金融机构")
    SME = "sme", _("企业")


class LeadMessage(models.Model):
    """A message between the bank working a lead and the SME behind it (both see the thread)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="messages", verbose_name=_("线索"))
    side = models.CharField(_("发送方"), max_length=4, choices=MessageSide.choices)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发送人")
    )
    body = models.TextField(_("内容"), max_length=2000)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("对方已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("线索留言")
        verbose_name_plural = _("线索留言")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["lead", "created_at"], name="lead_message_thread")]

    def __str__(self) -> str:
        return f"#{self.lead_id} {self.get_side_display()} {self.created_at:%Y-%m-%d %H:%M}"


@register_setting(icon="time")
class MatchingSettings(BaseGenericSetting):
    """Platform-wide response clocks and matching limits (editable in the back office)."""

    claim_workdays = models.PositiveSmallIntegerField(
        _("受理时限（工作日）"), default=1, help_text=_("新线索须在推送后第几个工作日结束前受理。")
    )
    decision_workdays = models.PositiveSmallIntegerField(
        _("审批时限（工作日）"), default=3, help_text=_("受理后第几个工作日结束前作出审批决定。")
    )
    holidays = models.TextField(
        _("法定节假日"), blank=True, help_text=_("每行一个日期（YYYY-MM-DD），这些日期不计为工作日。")
    )
    extra_workdays = models.TextField(
        _("调休工作日"), blank=True, help_text=_("每行一个日期（YYYY-MM-DD），这些周末日期计为工作日。")
    )
    max_leads_per_need = models.PositiveSmallIntegerField(_("每个需求最多推送的产品数"), default=8)

    class Meta:
        verbose_name = _("对接与时限设置")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .sla import parse_dates

        for field in ("holidays", "extra_workdays"):
            try:
                parse_dates(getattr(self, field))
            except ValueError as exc:
                raise ValidationError({field: _("日期格式应为 YYYY-MM-DD，每行一个。")}) from exc
