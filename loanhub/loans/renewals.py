"""Renewals (续贷): before maturity the SME asks the lending bank to renew its loan.

A renewal request is a lead like any other: a financing need (source 续贷) shown only to
the lending bank, with one lead on the loan's product, made through matching's own
``need_post`` / ``leads_create`` so that the deadlines, the scoped judgements, the events,
the notifications and the webhooks work as for every lead. The bank claims, approves,
declines and disburses it on the usual lead page, which shows the loan's history. When a
renewal lead is disbursed the new loan records ``renewal_of`` and the old loan is closed
as RENEWED (:func:`renewal_on_disbursed`, a transition listener registered by LoansConfig).

Rules: a request is possible from ``RENEWAL_WINDOW_DAYS`` days before maturity until the
maturity date itself, on a live loan, when no other request of the loan is still open,
approved or disbursed (a declined or withdrawn one may be asked again). A renewal without
repaying principal first (无还本续贷) asks at most the loan's original amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loanhub.accounts.models import User
from loanhub.matching import matcher
from loanhub.matching.models import Lead, LeadStatus, NeedSource, Visibility
from loanhub.matching.needs import leads_create, need_post, term_months_valid
from loanhub.money import format_wan

from .models import Loan, LoanStatus, PerformanceReport, RenewalKind, RenewalRequest, ReportChannel
from .services import loan_open_from_lead

# The SME may ask from this many days before maturity until the maturity date.
RENEWAL_WINDOW_DAYS = 90
# Requests in these lead states no longer block a new request of the same loan.
FINISHED_LEAD_STATUSES = (LeadStatus.DECLINED, LeadStatus.WITHDRAWN)


class RenewalError(Exception):
    message: str | StrPromise = gettext_lazy("暂不能申请续贷。")

    def __init__(self, message: str | None = None) -> None:
        super().__init__()
        if message:
            self.message = message

    def __str__(self) -> str:
        return str(self.message)


class RenewalAlreadyRequested(RenewalError):
    """The loan already has a request in progress (a second tab, a double click)."""

    message = gettext_lazy("该笔贷款已提交续贷申请，请勿重复提交。")

    def __init__(self, request: RenewalRequest) -> None:
        super().__init__()
        self.request = request


def renewal_window(loan: Loan) -> tuple[date, date]:
    """(first day, last day) on which the SME may ask to renew ``loan``."""
    return loan.maturity_date - timedelta(days=RENEWAL_WINDOW_DAYS), loan.maturity_date


def renewal_in_progress(loan: Loan) -> RenewalRequest | None:
    """The loan's request that is still open, approved or disbursed, if any."""
    return (
        RenewalRequest.objects.filter(loan=loan)
        .exclude(lead__status__in=FINISHED_LEAD_STATUSES)
        .select_related("lead")
        .first()
    )


def renewal_refusal(loan: Loan, today: date | None = None) -> str:
    """Why the SME cannot ask to renew ``loan`` today ("" when it can)."""
    today = today or timezone.localdate()
    opens, closes = renewal_window(loan)
    if not loan.is_live:
        return _("该笔贷款已%(status)s，不能申请续贷。") % {"status": loan.get_status_display()}
    if loan.status != LoanStatus.CURRENT:
        return _("贷款处于逾期或违约状态，不能在线申请续贷，请直接联系贷款银行。")
    if today < opens:
        return _("续贷申请在到期前 %(n)d 天内开放（%(d)s 起）。") % {"n": RENEWAL_WINDOW_DAYS, "d": opens.isoformat()}
    if today > closes:
        return _("贷款已于 %(d)s 到期，不能再申请续贷。") % {"d": closes.isoformat()}
    if renewal_in_progress(loan) is not None:
        return str(RenewalAlreadyRequested.message)
    return ""


def renewal_errors(*, loan: Loan, kind: str, amount: Decimal | None, term_months: object) -> dict[str, str]:
    """The request's figures against the renewal rules and the product's ranges (万元 in messages)."""
    product = loan.product
    errors: dict[str, str] = {}
    if kind not in RenewalKind.values:
        errors["kind"] = _("请选择续贷方式。")
    if amount is None or amount <= 0:
        errors["amount"] = _("续贷金额必须大于0。")
    elif kind == RenewalKind.NO_PRINCIPAL and amount > loan.amount:
        errors["amount"] = _("无还本续贷的金额不能超过原贷款金额 %(a)s 万元。") % {"a": format_wan(loan.amount)}
    elif not product.amount_min <= amount <= product.amount_max:
        errors["amount"] = _("续贷金额应在本产品的额度范围内（%(lo)s–%(hi)s 万元）。") % {
            "lo": format_wan(product.amount_min),
            "hi": format_wan(product.amount_max),
        }
    term = term_months_valid(term_months)
    if term is None or not product.term_min_months <= term <= product.term_max_months:
        errors["term_months"] = _("续贷期限应在本产品的期限范围内（%(lo)d–%(hi)d 个月）。") % {
            "lo": product.term_min_months,
            "hi": product.term_max_months,
        }
    return errors


def _product_match(need_result: matcher.NeedMatches, loan: Loan) -> matcher.Match:
    """The loan's product as a match for the renewal need.

    The lending bank decides a renewal whatever the matcher would say today (its own
    customer, its own loan), so a product that no longer matches still gets the lead;
    its ranking value then counts as zero.
    """
    for match in [*need_result.eligible, *need_result.near_misses]:
        if match.product_id == loan.product_id:
            return match
    product = loan.product
    return matcher.Match(
        product_id=product.pk, title=product.title, url="", institution_id=loan.institution_id,
        institution_name=loan.institution.short_name, product_type=product.product_type,
        rate_min=float(product.rate_min), rate_max=float(product.rate_max), amount_max=float(product.amount_max),
        eligible=False, reasons=[], likelihood=0.0, sme_score=0.0, bank_score=0.0, expected_value=0.0,
    )  # fmt: skip


@transaction.atomic
def renewal_request(
    *, user: User, loan: Loan, kind: str, amount: Decimal | None, term_months: object, reason: str = ""
) -> RenewalRequest:
    """Ask the lending bank to renew ``loan``: a 续贷 need for that bank alone and its lead.

    Raises RenewalAlreadyRequested when a request is in progress (a double click lands on
    it), RenewalError outside the window or on a loan that is not current, ValidationError
    on the figures, and matching's ConsentMissing when no authorization covers the bank.
    """
    loan = Loan.objects.select_for_update(of=("self",)).select_related("product", "institution").get(pk=loan.pk)
    existing = renewal_in_progress(loan)
    if existing is not None:
        raise RenewalAlreadyRequested(existing)
    refusal = renewal_refusal(loan)
    if refusal:
        raise RenewalError(refusal)
    errors = renewal_errors(loan=loan, kind=kind, amount=amount, term_months=term_months)
    term = term_months_valid(term_months)
    if errors or term is None or amount is None:
        raise ValidationError(errors)
    label = dict(RenewalKind.choices)[kind]
    purpose = f"{label}：{reason.strip()}" if reason.strip() else str(label)
    need = need_post(
        user=user, enterprise=loan.enterprise, amount=amount, term_months=term, purpose=purpose[:300],
        visibility=Visibility.CHOSEN, banks=[loan.institution], source=NeedSource.RENEWAL,
    )  # fmt: skip
    result = matcher.match_need(need)
    leads = leads_create(need, [_product_match(result, loan)], result.facts, source=NeedSource.RENEWAL)
    lead = leads[0] if leads else need.leads.get(product=loan.product)
    return RenewalRequest.objects.create(
        loan=loan, kind=kind, amount=amount, term_months=term,
        reason=reason.strip()[:500], lead=lead, requested_by=user,
    )  # fmt: skip


def renewal_on_disbursed(lead: Lead, kind: str) -> None:
    """Transition listener: a disbursed renewal lead closes the old loan (RENEWED) and
    links the new one to it, in the disbursement's own transaction."""
    if kind != "disbursed":
        return
    request = RenewalRequest.objects.filter(lead=lead).select_related("loan").first()
    if request is None:
        return
    new_loan = loan_open_from_lead(lead=lead)  # idempotent: the loan this disbursement opened
    old = request.loan
    day = lead.disbursed_on or timezone.localdate()
    new_loan.renewal_of = old
    new_loan.save(update_fields=["renewal_of", "updated_at"])
    Loan.objects.filter(pk=old.pk).update(
        status=LoanStatus.RENEWED, status_as_of=day, outstanding=Decimal(0), days_past_due=0
    )
    PerformanceReport.objects.update_or_create(
        loan=old,
        as_of=day,
        defaults={
            "status": LoanStatus.RENEWED,
            "outstanding": Decimal(0),
            "days_past_due": 0,
            "channel": ReportChannel.SYSTEM,
            "note": _("续贷放款，新贷款 #%(pk)d") % {"pk": new_loan.pk},
        },
    )


# ---------------------------------------------------------------------- reads


def renewal_for_lead(lead: Lead) -> RenewalRequest | None:
    return RenewalRequest.objects.filter(lead=lead).select_related("loan").first()


@dataclass
class RenewalBankStats:
    institution_id: int
    institution_name: str
    requested: int
    approved: int  # approved or disbursed
    declined: int
    disbursed: int

    @property
    def approval_rate(self) -> float | None:
        """Approved among decided (approved + declined); None before any decision."""
        decided = self.approved + self.declined
        return self.approved / decided if decided else None


def renewal_stats_by_bank(*, since: date | None = None, institution_id: int | None = None) -> list[RenewalBankStats]:
    """Renewal requests, approvals, declines and disbursements per lending bank."""
    qs = RenewalRequest.objects.all()
    if since is not None:
        qs = qs.filter(created_at__date__gte=since)
    if institution_id is not None:
        qs = qs.filter(lead__institution_id=institution_id)
    approved = (LeadStatus.APPROVED, LeadStatus.DISBURSED)
    rows = (
        qs.values("lead__institution_id", "lead__institution__short_name")
        .annotate(
            requested=Count("pk"),
            approved=Count("pk", filter=Q(lead__status__in=approved)),
            declined=Count("pk", filter=Q(lead__status=LeadStatus.DECLINED)),
            disbursed=Count("pk", filter=Q(lead__status=LeadStatus.DISBURSED)),
        )
        .order_by("-requested", "lead__institution_id")
    )
    return [
        RenewalBankStats(
            institution_id=r["lead__institution_id"],
            institution_name=r["lead__institution__short_name"],
            requested=r["requested"],
            approved=r["approved"],
            declined=r["declined"],
            disbursed=r["disbursed"],
        )
        for r in rows
    ]
