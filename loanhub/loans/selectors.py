"""Reads of the post-loan half: a bank's loans, one loan for its lender, an SME's loans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from loanhub.accounts.models import User
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.selectors import enterprise_list_for_member
from loanhub.institutions.models import FinancialInstitution
from loanhub.institutions.selectors import institution_for_user

from .models import CLOSED_STATUSES, Loan, LoanStatus, PerformanceReport
from .schedule import Instalment, schedule

# Statuses in which a payment is late.
OVERDUE_STATUSES = (LoanStatus.DPD_1_30, LoanStatus.DPD_31_90, LoanStatus.DPD_90_PLUS, LoanStatus.DEFAULTED)
# Extra values of the status filter besides the statuses themselves.
STATUS_GROUPS = {"live": ~Q(status__in=CLOSED_STATUSES), "closed": Q(status__in=CLOSED_STATUSES)}


def _loans() -> QuerySet[Loan]:
    return Loan.objects.select_related("enterprise", "product", "institution")


def loan_filter(qs: QuerySet[Loan], filters: dict[str, Any] | None) -> QuerySet[Loan]:
    """``qs`` filtered by ``filters``:

    ``status`` (a LoanStatus value, or ``live`` / ``closed``), ``product`` (id), ``overdue``
    (only loans past due), ``maturing`` (live loans maturing within that many days),
    ``q`` (enterprise name contains, or USCC starts with).
    """
    filters = filters or {}
    status = filters.get("status")
    if status in STATUS_GROUPS:
        qs = qs.filter(STATUS_GROUPS[status])
    elif status:
        qs = qs.filter(status=status)
    if filters.get("product"):
        qs = qs.filter(product_id=filters["product"])
    if filters.get("overdue"):
        qs = qs.filter(Q(status__in=OVERDUE_STATUSES) | Q(days_past_due__gt=0)).exclude(status__in=CLOSED_STATUSES)
    if filters.get("maturing") is not None:
        today = timezone.localdate()
        qs = qs.filter(
            maturity_date__gte=today, maturity_date__lte=today + timedelta(days=int(filters["maturing"]))
        ).exclude(status__in=CLOSED_STATUSES)
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__startswith=q.upper()))
    return qs


def loan_list(*, institution: FinancialInstitution, filters: dict[str, Any] | None = None) -> QuerySet[Loan]:
    """The institution's loans, newest disbursement first, filtered (see ``loan_filter``)."""
    return loan_filter(_loans().filter(institution=institution), filters)


def loan_get(*, viewer: User, pk: int) -> Loan | None:
    """The loan, if the viewer is staff of the lending institution; otherwise None (a 404)."""
    institution = institution_for_user(user=viewer)
    if institution is None:
        return None
    return _loans().select_related("lead").filter(pk=pk, institution=institution).first()


def loan_list_for_staff(*, user: User) -> QuerySet[Loan]:
    institution = institution_for_user(user=user)
    return loan_list(institution=institution) if institution is not None else Loan.objects.none()


def loans_for_enterprise(*, enterprise: Enterprise) -> QuerySet[Loan]:
    """An SME's own loans, from every bank."""
    return _loans().filter(enterprise=enterprise)


def loan_list_for_member(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Loan]:
    """The loans of every enterprise the user is a member of, filtered (see ``loan_filter``)."""
    if not user.is_authenticated or not user.is_sme:
        return Loan.objects.none()
    return loan_filter(_loans().filter(enterprise__in=enterprise_list_for_member(user=user)), filters)


def loan_reports(*, loan: Loan) -> QuerySet[PerformanceReport]:
    """A loan's performance history, latest day first."""
    return loan.reports.select_related("reported_by").order_by("-as_of", "-id")


def loan_schedule(*, loan: Loan) -> list[Instalment]:
    return schedule(
        amount=loan.amount, annual_rate=loan.annual_rate, term_months=loan.term_months,
        method=loan.repayment_method, start=loan.disbursed_on,
    )  # fmt: skip


@dataclass(frozen=True)
class LoanCounts:
    total: int
    live: int
    overdue: int
    maturing: int


def loan_counts(*, institution: FinancialInstitution, maturing_days: int = 30) -> LoanCounts:
    """Figures for the top of the list: all, live, overdue, maturing within ``maturing_days``."""
    return LoanCounts(
        total=loan_list(institution=institution).count(),
        live=loan_list(institution=institution, filters={"status": "live"}).count(),
        overdue=loan_list(institution=institution, filters={"overdue": True}).count(),
        maturing=loan_list(institution=institution, filters={"maturing": maturing_days}).count(),
    )
