"""Writes of the post-loan half: opening a loan when a lead is disbursed, reporting its performance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.choices import Collateral, ProductType, RepaymentMethod
from loanhub.accounts.models import User
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.consent.models import Purpose
from loanhub.consent.services import access_log_record
from loanhub.matching.models import Lead, LeadStatus
from loanhub.money import format_wan

from .models import CLOSED_STATUSES, Loan, LoanStatus, PerformanceReport
from .schedule import CENT, add_months


def _repayment_method(lead: Lead) -> str:
    methods = list(lead.product.repayment_methods or [])
    return methods[0] if methods else RepaymentMethod.EQUAL_INSTALMENT


@transaction.atomic
def loan_open_from_lead(*, lead: Lead) -> Loan:
    """The loan a disbursed lead becomes; calling it again returns the same loan."""
    if lead.status != LeadStatus.DISBURSED or lead.disbursed_amount is None or lead.disbursed_on is None:
        raise ValueError("only a disbursed lead becomes a loan")
    existing = Loan.objects.filter(lead=lead).first()
    if existing is not None:
        return existing
    product = lead.product
    term = lead.approved_term or lead.need.term_months
    rate = lead.approved_rate if lead.approved_rate is not None else product.rate_min
    loan = Loan.objects.create(
        lead=lead,
        enterprise_id=lead.enterprise_id,
        institution_id=lead.institution_id,
        product=product,
        amount=lead.disbursed_amount,
        annual_rate=rate,
        term_months=term,
        repayment_method=_repayment_method(lead),
        disbursed_on=lead.disbursed_on,
        maturity_date=add_months(lead.disbursed_on, term),
        status=LoanStatus.CURRENT,
        status_as_of=lead.disbursed_on,
        outstanding=lead.disbursed_amount,
        is_first_loan=lead.is_first_loan,
        is_credit=product.collateral == Collateral.NONE or product.product_type == ProductType.CREDIT,
    )
    return loan


def lead_transitioned(lead: Lead, kind: str) -> None:
    """matching's transition hook: a disbursement opens the loan in the same transaction."""
    if kind == "disbursed":
        loan_open_from_lead(lead=lead)


# ------------------------------------------------------------------ performance


class ReportResult(StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    CORRECTED = "corrected"


@dataclass(frozen=True)
class ReportOutcome:
    report: PerformanceReport
    result: ReportResult


# Statuses whose days past due must lie in a bucket: (lowest, highest or None).
DPD_BUCKETS: dict[str, tuple[int, int | None]] = {
    LoanStatus.CURRENT: (0, 0),
    LoanStatus.DPD_1_30: (1, 30),
    LoanStatus.DPD_31_90: (31, 90),
    LoanStatus.DPD_90_PLUS: (91, None),
}
# A report in one of these marks the loan as defaulted for good (Basel: ever 90+ days past due).
DEFAULT_STATUSES = (LoanStatus.DPD_90_PLUS, LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)
REPORT_FIELDS = ("status", "outstanding", "days_past_due", "note")
MAX_NOTE = 500


def _bucket_message(status: str) -> str:
    low, high = DPD_BUCKETS[status]
    label = LoanStatus(status).label
    if high is None:
        return _("状态为“%(s)s”时，逾期天数应大于 %(n)d 天。") % {"s": label, "n": low - 1}
    if low == high:
        return _("状态为“%(s)s”时，逾期天数应为 %(n)d。") % {"s": label, "n": low}
    return _("状态为“%(s)s”时，逾期天数应在 %(lo)d 到 %(hi)d 天之间。") % {"s": label, "lo": low, "hi": high}


def performance_errors(
    *, loan: Loan, as_of: date, status: str, outstanding: Decimal, days_past_due: int, note: str
) -> dict[str, list[str]]:
    """Every reason the report is refused, by field (empty when it may be stored)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(str(message))

    if as_of < loan.disbursed_on:
        add("as_of", _("报告日期不能早于放款日期（%(d)s）。") % {"d": loan.disbursed_on.isoformat()})
    if as_of > timezone.localdate():
        add("as_of", _("报告日期不能晚于今天。"))
    if status not in LoanStatus.values:
        add("status", _("未知的贷款状态“%(s)s”。") % {"s": str(status)[:30]})
    if outstanding < 0:
        add("outstanding", _("贷款余额不能为负数。"))
    elif outstanding > loan.amount:
        add("outstanding", _("贷款余额不能超过贷款金额 %(a)s 万元。") % {"a": format_wan(loan.amount)})
    if days_past_due < 0:
        add("days_past_due", _("逾期天数不能为负数。"))
    elif status in DPD_BUCKETS:
        low, high = DPD_BUCKETS[status]
        if days_past_due < low or (high is not None and days_past_due > high):
            add("days_past_due", _bucket_message(status))
    if status == LoanStatus.REPAID and outstanding != 0:
        add("outstanding", _("状态为“已结清”时，贷款余额应为 0。"))
    if len(note) > MAX_NOTE:
        add("note", _("说明不能超过 %(n)d 个字。") % {"n": MAX_NOTE})
    _closed_errors(loan, as_of, status, add)
    return errors


def _closed_errors(loan: Loan, as_of: date, status: str, add: Callable[[str, str], None]) -> None:
    # The loan row carries its latest report's status and day (see _loan_follow), so a closed
    # loan is one whose latest report closed it, and no report is later than status_as_of.
    if loan.status in CLOSED_STATUSES and as_of != loan.status_as_of:
        add(
            "as_of",
            _("该贷款已于 %(d)s 报告为“%(s)s”，不能再报告其他日期；如需更正，请报告同一天（%(d)s）。")
            % {"d": loan.status_as_of.isoformat(), "s": loan.get_status_display()},
        )
    elif status in CLOSED_STATUSES and as_of < loan.status_as_of and loan.reports.filter(as_of__gt=as_of).exists():
        add("status", _("“%(s)s”只能是最后一次报告：该日期之后已有报告。") % {"s": LoanStatus(status).label})


def _report_on(loan: Loan, as_of: date) -> PerformanceReport | None:
    return PerformanceReport.objects.filter(loan=loan, as_of=as_of).first()


@transaction.atomic
def performance_report(
    *,
    loan: Loan,
    as_of: date,
    status: str,
    outstanding: Decimal,
    days_past_due: int,
    note: str = "",
    channel: str,
    user: User | None,
) -> ReportOutcome:
    """Store what the bank reports about ``loan`` on ``as_of``; idempotent per (loan, day).

    The same values again change nothing (``unchanged``); other values correct that day's
    report (``corrected``, counted and audited). Refused with a ValidationError by field.
    The latest report (by day) sets the loan's status and the lead's ``defaulted``.
    """
    # Two officers reporting at once: the second waits here, then sees the first's report.
    loan = Loan.objects.select_for_update().get(pk=loan.pk)
    outstanding = Decimal(outstanding).quantize(CENT)
    note = (note or "").strip()
    errors = performance_errors(
        loan=loan, as_of=as_of, status=status, outstanding=outstanding, days_past_due=days_past_due, note=note
    )
    if errors:
        raise ValidationError(errors)
    values = {"status": status, "outstanding": outstanding, "days_past_due": days_past_due, "note": note}
    existing = _report_on(loan, as_of)
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: the unique constraint may still catch a race
                report = PerformanceReport.objects.create(
                    loan=loan, as_of=as_of, channel=channel, reported_by=user, **values
                )
        except IntegrityError:
            existing = _report_on(loan, as_of)
            if existing is None:
                raise
        else:
            _loan_follow(loan, report)
            return ReportOutcome(report, ReportResult.CREATED)
    return _report_correct(loan, existing, values, channel=channel, user=user)


def _report_correct(
    loan: Loan, report: PerformanceReport, values: dict, *, channel: str, user: User | None
) -> ReportOutcome:
    before = {f: getattr(report, f) for f in REPORT_FIELDS}
    if before == values:
        return ReportOutcome(report, ReportResult.UNCHANGED)
    for field, value in values.items():
        setattr(report, field, value)
    report.channel, report.reported_by = channel, user
    report.corrections += 1
    report.save()
    audit_record(
        kind=AuditKind.LOAN_REPORT_CORRECTED, user=user, obj=report, loan=report.loan_id, as_of=report.as_of,
        channel=channel, before=before, after=values,
    )  # fmt: skip
    _loan_follow(loan, report, before_status=before["status"])
    return ReportOutcome(report, ReportResult.CORRECTED)


def _loan_follow(loan: Loan, report: PerformanceReport, *, before_status: str | None = None) -> None:
    """The loan takes the values of its latest report (by day); the lead's ``defaulted`` follows
    the history: True once any report was 90+ days past due, defaulted or written off (a default
    stays a default even if the loan is later repaid), False when the loan ended repaid or renewed
    without one, None while it runs. ``before_status``: what a corrected report said before."""
    if report.as_of >= loan.status_as_of:  # the latest report (a loan opens dated its disbursement)
        loan.status, loan.status_as_of = report.status, report.as_of
        loan.outstanding, loan.days_past_due = report.outstanding, report.days_past_due
        Loan.objects.filter(pk=loan.pk).update(
            status=loan.status, status_as_of=loan.status_as_of, outstanding=loan.outstanding,
            days_past_due=loan.days_past_due, updated_at=timezone.now(),
        )  # fmt: skip
    ended = (LoanStatus.REPAID, LoanStatus.RENEWED)
    if report.status in DEFAULT_STATUSES:
        defaulted: bool | None = True
    elif before_status in (*DEFAULT_STATUSES, *ended) or loan.status in ended:
        if loan.reports.filter(status__in=DEFAULT_STATUSES).exists():
            defaulted = True
        else:
            defaulted = False if loan.status in ended else None
    else:
        return  # nothing this report could change
    Lead.objects.filter(pk=loan.lead_id).update(defaulted=defaulted)


def loan_read_log(*, loan: Loan, viewer: User, channel: str, detail: str) -> None:
    """A bank's look at one of its loans reads the enterprise's data: logged like a lead page
    (the SME sees it under 谁查询了我的数据), for the purpose of post-loan management."""
    access_log_record(
        enterprise=loan.enterprise, user=viewer, categories=[], purpose=Purpose.MONITORING, channel=channel,
        institution=loan.institution, detail=detail,
    )  # fmt: skip
