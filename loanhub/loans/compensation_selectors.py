"""Reads of risk compensation (风险补偿): scheme balances, enrolments and claims by viewer.

How a scheme's money is counted (all in 元):

- covered amount of a loan = loan amount × coverage share (the most the fund can pay for it);
- paid = Σ paid amounts of approved claims; pending = Σ claimed amounts of claims awaiting a
  decision; exposure = Σ covered amounts of enrolled loans that are neither repaid nor renewed
  and have no pending or approved claim (they may still default);
- balance (资金余额) = budget − paid: what the fund still holds;
- available (可用额度) = budget − paid − pending − exposure: what it can still promise. A new
  loan is enrolled only if its covered amount fits in it, so the fund never promises more
  than it holds (no leverage); a claim may use budget − paid − pending (its own loan's
  exposure is released by the claim).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from loanhub.accounts.models import User
from loanhub.institutions.selectors import membership_for_staff

from .models import ClaimStatus, CompensationClaim, CompensationScheme, LoanStatus, SchemeEnrolment

ZERO = Decimal(0)
# Enrolled loans that can no longer default: their cover is released.
RELEASED_STATUSES = (LoanStatus.REPAID, LoanStatus.RENEWED)
LIVE_CLAIM_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED)


def _sum(qs: QuerySet, field: str) -> Decimal:
    return qs.aggregate(total=Coalesce(Sum(field), ZERO))["total"]


def scheme_exposure(scheme: CompensationScheme) -> Decimal:
    live_claim = CompensationClaim.objects.filter(enrolment=OuterRef("pk"), status__in=LIVE_CLAIM_STATUSES)
    qs = scheme.enrolments.exclude(loan__status__in=RELEASED_STATUSES).exclude(Exists(live_claim))
    return _sum(qs, "covered_amount")


def scheme_paid(scheme: CompensationScheme) -> Decimal:
    return _sum(CompensationClaim.objects.filter(enrolment__scheme=scheme, status=ClaimStatus.APPROVED), "paid_amount")


def scheme_pending(scheme: CompensationScheme) -> Decimal:
    qs = CompensationClaim.objects.filter(enrolment__scheme=scheme, status=ClaimStatus.SUBMITTED)
    return _sum(qs, "claimed_amount")


def scheme_available(scheme: CompensationScheme) -> Decimal:
    """What the scheme can still promise to a new loan."""
    return scheme.budget - scheme_paid(scheme) - scheme_pending(scheme) - scheme_exposure(scheme)


def scheme_claimable(scheme: CompensationScheme) -> Decimal:
    """What a new claim may take: the budget less what is paid or already claimed."""
    return scheme.budget - scheme_paid(scheme) - scheme_pending(scheme)


@dataclass
class SchemeReportRow:
    scheme: CompensationScheme
    enrolled: int
    enrolled_amount: Decimal
    covered_amount: Decimal
    exposure: Decimal
    claims_filed: int
    claims_pending: int
    claims_approved: int
    claims_rejected: int
    claimed_amount: Decimal
    pending_amount: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.scheme.budget - self.paid

    @property
    def available(self) -> Decimal:
        return self.scheme.budget - self.paid - self.pending_amount - self.exposure

    @property
    def used_percent(self) -> float:
        """Paid, pending and exposed as a share of the budget (for the chart)."""
        budget = float(self.scheme.budget) or 1.0
        return min(100.0, 100 * float(self.paid + self.pending_amount + self.exposure) / budget)


def scheme_report() -> list[SchemeReportRow]:
    """Every scheme's take-up, claims, losses paid and balance (platform administrators)."""
    schemes = CompensationScheme.objects.annotate(
        n_enrolled=Count("enrolments", distinct=True),
        enrolled_amount=Coalesce(Sum("enrolments__loan__amount"), ZERO),
        covered_total=Coalesce(Sum("enrolments__covered_amount"), ZERO),
    ).order_by("-is_active", "-valid_from", "name")
    rows = []
    for scheme in schemes:
        counts = CompensationClaim.objects.filter(enrolment__scheme=scheme).aggregate(
            filed=Count("pk"),
            pending=Count("pk", filter=Q(status=ClaimStatus.SUBMITTED)),
            approved=Count("pk", filter=Q(status=ClaimStatus.APPROVED)),
            rejected=Count("pk", filter=Q(status=ClaimStatus.REJECTED)),
            claimed=Coalesce(Sum("claimed_amount"), ZERO),
        )
        rows.append(
            SchemeReportRow(
                scheme=scheme,
                enrolled=scheme.n_enrolled,
                enrolled_amount=scheme.enrolled_amount,
                covered_amount=scheme.covered_total,
                exposure=scheme_exposure(scheme),
                claims_filed=counts["filed"],
                claims_pending=counts["pending"],
                claims_approved=counts["approved"],
                claims_rejected=counts["rejected"],
                claimed_amount=counts["claimed"],
                pending_amount=scheme_pending(scheme),
                paid=scheme_paid(scheme),
            )
        )
    return rows


# ------------------------------------------------------------------ by viewer


def _is_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_platform_admin or user.is_superuser))


def claim_list_for_user(*, user: User, status: str = "") -> QuerySet[CompensationClaim]:
    """Claims a viewer may see: all for platform administrators, its own bank's for bank staff."""
    qs = CompensationClaim.objects.select_related(
        "enrolment__scheme", "enrolment__loan__enterprise", "enrolment__loan__institution", "filed_by"
    )
    if status in ClaimStatus.values:
        qs = qs.filter(status=status)
    if _is_admin(user):
        return qs
    membership = membership_for_staff(user=user)
    if membership is None:
        return qs.none()
    return qs.filter(enrolment__loan__institution_id=membership.institution_id)


def claim_get_for_user(*, user: User, pk: int) -> CompensationClaim | None:
    return claim_list_for_user(user=user).filter(pk=pk).first()


def enrolment_list_for_user(*, user: User) -> QuerySet[SchemeEnrolment]:
    """Enrolled loans a viewer may see (administrators: all; bank staff: their bank's)."""
    qs = SchemeEnrolment.objects.select_related("scheme", "loan__enterprise", "loan__institution").order_by(
        "-enrolled_at", "-pk"
    )
    if _is_admin(user):
        return qs
    membership = membership_for_staff(user=user)
    if membership is None:
        return qs.none()
    return qs.filter(loan__institution_id=membership.institution_id)


def claim_live_for_enrolment(enrolment: SchemeEnrolment) -> CompensationClaim | None:
    """The enrolment's claim awaiting a decision or approved, if any."""
    return enrolment.claims.filter(status__in=LIVE_CLAIM_STATUSES).first()
