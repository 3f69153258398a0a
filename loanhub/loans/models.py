"""After the loan (DESIGN.md §6): loans, their performance, alerts, renewals, risk sharing.

Amounts are stored in 元 like everywhere else; forms and pages show 万元.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cms.choices import RepaymentMethod


class LoanStatus(models.TextChoices):
    CURRENT = "current", _("正常")
    DPD_1_30 = "dpd_1_30", _("逾期1–30天")
    DPD_31_90 = "dpd_31_90", _("逾期31–90天")
    DPD_90_PLUS = "dpd_90_plus", _("逾期90天以上")
    DEFAULTED = "defaulted", _("违约")
    REPAID = "repaid", _("已结清")
    RENEWED = "renewed", _("已续贷")
    WRITTEN_OFF = "written_off", _("已核销")


# Statuses after which nothing more is reported: the loan is over.
CLOSED_STATUSES = (LoanStatus.REPAID, LoanStatus.RENEWED, LoanStatus.WRITTEN_OFF)
# Non-performing (不良): 90+ days past due, defaulted or written off.
NPL_STATUSES = (LoanStatus.DPD_90_PLUS, LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)


class ReportChannel(models.TextChoices):
    WORKBENCH = "workbench", _("工作台")
    API = "api", _("接口")
    FILE = "file", _("文件")
    SYSTEM = "system", _("系统")


class Loan(models.Model):
    """A disbursed lead, followed until it is repaid, renewed or written off."""

    lead = models.OneToOneField(
        "matching.Lead", on_delete=models.PROTECT, related_name="loan", verbose_name=_("来源线索")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="loans", verbose_name=_("企业")
    )
    institution = models.ForeignKey(
        "institutions.FinancialInstitution", on_delete=models.PROTECT, related_name="loans",
        verbose_name=_("金融机构"),
    )  # fmt: skip
    product = models.ForeignKey(
        "cms.FinancingProductPage", on_delete=models.PROTECT, related_name="loans", verbose_name=_("金融产品")
    )
    amount = models.DecimalField(_("贷款金额（元）"), max_digits=14, decimal_places=2)
    annual_rate = models.DecimalField(_("年化利率（%）"), max_digits=5, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    repayment_method = models.CharField(
        _("还款方式"), max_length=20, choices=RepaymentMethod.choices, default=RepaymentMethod.EQUAL_INSTALMENT
    )
    disbursed_on = models.DateField(_("放款日期"))
    maturity_date = models.DateField(_("到期日"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.CURRENT, db_index=True
    )
    status_as_of = models.DateField(_("状态日期"))
    outstanding = models.DecimalField(_("贷款余额（元）"), max_digits=14, decimal_places=2)
    days_past_due = models.PositiveIntegerField(_("逾期天数"), default=0)
    is_first_loan = models.BooleanField(_("首贷"), default=False)
    is_credit = models.BooleanField(_("信用贷（无抵押担保）"), default=False)
    renewal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewals", verbose_name=_("续贷自")
    )
    is_sandbox = models.BooleanField(_("沙箱数据"), default=False)
    created_at = models.DateTimeField(_("建立时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("贷款")
        verbose_name_plural = _("贷款")
        ordering = ["-disbursed_on", "-id"]
        indexes = [models.Index(fields=["institution", "status"]), models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.product} · {self.disbursed_on}"

    @property
    def is_live(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def is_npl(self) -> bool:
        return self.status in NPL_STATUSES


class PerformanceReport(models.Model):
    """What the bank reported about a loan on one day; one row per (loan, day).

    Reporting the same day again with the same values changes nothing; with other
    values it corrects that day's report (kept in ``corrections``).
    """

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="reports", verbose_name=_("贷款"))
    as_of = models.DateField(_("报告日期"))
    status = models.CharField(_("状态"), max_length=12, choices=LoanStatus.choices)
    outstanding = models.DecimalField(_("贷款余额（元）"), max_digits=14, decimal_places=2)
    days_past_due = models.PositiveIntegerField(_("逾期天数"), default=0)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=ReportChannel.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrections = models.PositiveSmallIntegerField(_("更正次数"), default=0)
    created_at = models.DateTimeField(_("报告时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("贷款表现报告")
        verbose_name_plural = _("贷款表现报告")
        ordering = ["-as_of", "-id"]
        constraints = [models.UniqueConstraint(fields=["loan", "as_of"], name="one_report_per_loan_day")]

    def __str__(self) -> str:
        return f"{self.loan_id} {self.as_of} {self.status}"


# ------------------------------------------------------------------ early warning


class AlertKind(models.TextChoices):
    PENALTY = "penalty", _("新增行政处罚")
    JUDICIAL = "judicial", _("新增司法案件（被告）")
    DISHONEST = "dishonest", _("列入失信被执行人")
    SOCIAL_INSURANCE_ARREARS = "si_arrears", _("社保欠缴")
    TAX_ARREARS = "tax_arrears", _("欠税")
    TAX_RATING_DROP = "tax_rating_drop", _("纳税信用等级下降")
    ABNORMAL_OPERATION = "abnormal", _("列入经营异常名录")
    SCORE_DROP = "score_drop", _("信用评分大幅下降")


class AlertSeverity(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    CLOSED = "closed", _("已关闭")


class AlertAction(models.TextChoices):
    NONE = "none", _("持续观察")
    CONTACT = "contact", _("联系企业核实")
    VISIT = "visit", _("实地走访")
    LIMIT = "limit", _("冻结或压降额度")
    RECALL = "recall", _("提前收回")
    COLLATERAL = "collateral", _("追加担保")


class LoanAlert(models.Model):
    """An early-warning alert (贷后预警) raised to the lending bank about a live loan."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("贷款"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="loan_alerts", verbose_name=_("企业")
    )
    institution = models.ForeignKey(
        "institutions.FinancialInstitution", on_delete=models.CASCADE, related_name="loan_alerts",
        verbose_name=_("金融机构"),
    )  # fmt: skip
    kind = models.CharField(_("预警类型"), max_length=20, choices=AlertKind.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=AlertSeverity.choices, db_index=True)
    # db_constraint=False: the record table is partitioned on PostgreSQL (credit_data migration 0003), so no
    # unique index on its id alone can exist to reference; SET_NULL is applied by Django.
    record = models.ForeignKey(
        "credit_data.CreditRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts",
        verbose_name=_("依据的信用记录"), db_constraint=False,
    )  # fmt: skip
    # The authorization that allowed it: an alert exists only under a monitoring consent.
    authorization = models.ForeignKey(
        "consent.Authorization", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("依据的授权")
    )
    dedupe_key = models.CharField(max_length=120)
    summary = models.CharField(_("摘要"), max_length=500)
    # The same sentence in English for an English page (the platform's own sentences only: a
    # summary typed by hand has none and shows as typed).
    summary_en = models.CharField(_("摘要（英文）"), max_length=500, blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    raised_at = models.DateTimeField(_("预警时间"), default=timezone.now, db_index=True)
    ack_deadline = models.DateTimeField(_("确认期限"))
    is_overdue = models.BooleanField(_("已超时"), default=False, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("确认人"),
    )  # fmt: skip
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    ack_note = models.CharField(_("处理说明"), max_length=1000, blank=True)
    action = models.CharField(_("后续措施"), max_length=12, choices=AlertAction.choices, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("贷后预警")
        verbose_name_plural = _("贷后预警")
        ordering = ["-raised_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["loan", "dedupe_key"], name="one_alert_per_loan_event")]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.enterprise}"

    @property
    def summary_text(self) -> str:
        """The summary in the page's language where the platform wrote it in both."""
        if self.summary_en and (get_language() or "").startswith("en"):
            return self.summary_en
        return self.summary


# ------------------------------------------------------------------------ renewals


class RenewalKind(models.TextChoices):
    STANDARD = "standard", _("续贷（先还后贷）")
    NO_PRINCIPAL = "no_principal", _("无还本续贷")


class RenewalRequest(models.Model):
    """The SME asks the lending bank to renew a loan before it matures; it is a lead."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="renewal_requests", verbose_name=_("贷款"))
    kind = models.CharField(_("续贷方式"), max_length=15, choices=RenewalKind.choices)
    amount = models.DecimalField(_("续贷金额（元）"), max_digits=14, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("续贷期限（月）"))
    reason = models.CharField(_("说明"), max_length=500, blank=True)
    lead = models.OneToOneField(
        "matching.Lead", on_delete=models.PROTECT, related_name="renewal_request", verbose_name=_("线索")
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("续贷申请")
        verbose_name_plural = _("续贷申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.loan}"


# ------------------------------------------------------------ risk compensation


class CompensationScheme(models.Model):
    """A government risk-compensation fund (风险补偿资金池) and what it covers."""

    name = models.CharField(_("方案名称"), max_length=100, unique=True)
    fund_name = models.CharField(_("资金池"), max_length=100)
    coverage_share = models.DecimalField(
        _("补偿比例（%）"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text=_("损失中由资金池承担的比例，如 50 表示 50%。"),
    )  # fmt: skip
    products = models.ManyToManyField(
        "cms.FinancingProductPage", blank=True, related_name="compensation_schemes", verbose_name=_("适用产品"),
        help_text=_("不选表示不限产品。"),
    )  # fmt: skip
    zones = models.JSONField(
        _("适用专区标签"), default=list, blank=True, help_text=_("产品带有任一标签即适用；留空表示不限。")
    )
    loan_cap = models.DecimalField(_("单笔贷款上限（元）"), max_digits=14, decimal_places=2)
    budget = models.DecimalField(_("资金规模（元）"), max_digits=16, decimal_places=2)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("风险补偿方案")
        verbose_name_plural = _("风险补偿方案")
        ordering = ["-valid_from", "name"]

    def __str__(self) -> str:
        return self.name


class SchemeEnrolment(models.Model):
    """A loan covered by a scheme, enrolled at disbursement."""

    scheme = models.ForeignKey(
        CompensationScheme, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("补偿方案")
    )
    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="enrolment", verbose_name=_("贷款"))
    covered_amount = models.DecimalField(_("纳入补偿的金额（元）"), max_digits=14, decimal_places=2)
    enrolled_at = models.DateTimeField(_("纳入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("补偿方案入池贷款")
        verbose_name_plural = _("补偿方案入池贷款")

    def __str__(self) -> str:
        return f"{self.scheme} · {self.loan}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class CompensationClaim(models.Model):
    """A bank's claim on a scheme after a covered loan defaulted."""

    enrolment = models.ForeignKey(
        SchemeEnrolment, on_delete=models.PROTECT, related_name="claims", verbose_name=_("入池贷款")
    )
    loss_amount = models.DecimalField(_("损失金额（元）"), max_digits=14, decimal_places=2)
    claimed_amount = models.DecimalField(_("申请补偿金额（元）"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED, db_index=True
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审核意见"), max_length=1000, blank=True)
    paid_amount = models.DecimalField(_("核定补偿金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("风险补偿申请")
        verbose_name_plural = _("风险补偿申请")
        ordering = ["-filed_at"]
        constraints = [
            # One live claim per loan: a rejected claim may be filed again, an open or paid one not.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=~models.Q(status="rejected"),
                name="one_open_or_paid_claim_per_loan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.get_status_display()}"
