"""Writes of risk compensation (风险补偿): schemes, enrolment at disbursement, claims.

The money rules are in :mod:`loanhub.loans.compensation_selectors`. Every write is
audited; a bank is told of the decision on its claim.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loanhub.accounts.models import Role, User
from loanhub.accounts.services import notify
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.institutions.models import InstitutionMembership, StaffRole
from loanhub.institutions.selectors import membership_for_staff
from loanhub.matching.models import Lead
from loanhub.money import format_wan

from .compensation_selectors import claim_live_for_enrolment, scheme_available, scheme_claimable
from .models import ClaimStatus, CompensationClaim, CompensationScheme, Loan, LoanStatus, SchemeEnrolment
from .services import loan_open_from_lead

CENT = Decimal("0.01")
# A claim may be filed once the loan is in one of these states.
CLAIMABLE_STATUSES = (LoanStatus.DEFAULTED, LoanStatus.WRITTEN_OFF)
CLAIMS_ADMIN_LINK = "/cms-admin/compensation/claims/"


class ClaimExists(Exception):
    """The loan already has a claim awaiting a decision or approved (a double submit)."""

    message = gettext_lazy("该笔贷款已有待审核或已批准的补偿申请，不能重复提交。")

    def __init__(self, claim: CompensationClaim) -> None:
        super().__init__(str(self.message))
        self.claim = claim


def covered_amount(scheme: CompensationScheme, amount: Decimal) -> Decimal:
    """The most the fund can pay for a loan of ``amount``: amount × coverage share."""
    return (amount * scheme.coverage_share / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _is_admin(user: User) -> bool:
    return bool(user.is_platform_admin or user.is_superuser)


# ------------------------------------------------------------------ schemes


def scheme_saved(*, user: User, scheme: CompensationScheme, created: bool) -> None:
    """Record who created or changed a scheme, and with which terms."""
    if not _is_admin(user):
        raise PermissionDenied(_("只有平台管理员可以管理风险补偿方案。"))
    if created and scheme.created_by_id is None:
        CompensationScheme.objects.filter(pk=scheme.pk).update(created_by=user)
    audit_record(
        kind=AuditKind.COMPENSATION_SCHEME_SAVED, user=user, obj=scheme, created=created, name=scheme.name,
        share=str(scheme.coverage_share), cap=str(scheme.loan_cap), budget=str(scheme.budget),
        active=scheme.is_active, products=list(scheme.products.values_list("pk", flat=True)), zones=scheme.zones,
    )  # fmt: skip


def _covers_product(scheme: CompensationScheme, product_id: int, tags: set[str]) -> bool:
    product_ids = set(scheme.products.values_list("pk", flat=True))
    zones = set(scheme.zones or [])
    if not product_ids and not zones:
        return True  # no restriction: every product
    return product_id in product_ids or bool(tags & zones)


def schemes_in_force(day: date) -> list[CompensationScheme]:
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    return list(
        CompensationScheme.objects.filter(valid, is_active=True, valid_from__lte=day).order_by("valid_from", "pk")
    )


def scheme_eligible(loan: Loan) -> CompensationScheme | None:
    """The first active scheme in force on the disbursement day that covers the loan's product
    (listed, or carrying one of its zone tags), whose cap the loan fits and whose available
    amount still holds the loan's cover."""
    tags = set(loan.product.tags.values_list("name", flat=True))
    for scheme in schemes_in_force(loan.disbursed_on):
        if loan.amount > scheme.loan_cap or not _covers_product(scheme, loan.product_id, tags):
            continue
        if covered_amount(scheme, loan.amount) <= scheme_available(scheme):
            return scheme
    return None


@transaction.atomic
def loan_enrol(loan: Loan) -> SchemeEnrolment | None:
    """Enrol a just-opened loan in the first eligible scheme (idempotent)."""
    existing = SchemeEnrolment.objects.filter(loan=loan).first()
    if existing is not None:
        return existing
    scheme = scheme_eligible(loan)
    if scheme is None:
        return None
    # Lock the scheme, then check its room again: two disbursements must not both take the last of it.
    scheme = CompensationScheme.objects.select_for_update().get(pk=scheme.pk)
    cover = covered_amount(scheme, loan.amount)
    if cover > scheme_available(scheme):
        return None
    enrolment = SchemeEnrolment.objects.create(scheme=scheme, loan=loan, covered_amount=cover)
    audit_record(
        kind=AuditKind.COMPENSATION_ENROLLED, obj=enrolment, scheme=scheme.name, loan=loan.pk,
        amount=str(loan.amount), covered=str(cover),
    )  # fmt: skip
    return enrolment


def enrol_on_disbursed(lead: Lead, kind: str) -> None:
    """Transition listener: the loan a disbursement opens is enrolled in the same transaction."""
    if kind == "disbursed":
        loan_enrol(loan_open_from_lead(lead=lead))


# ------------------------------------------------------------------- claims


def claim_loss_cap(loan: Loan) -> Decimal:
    """The largest loss a claim may state: the outstanding balance, or, once written off
    with the balance reported as 0, the last balance reported before."""
    if loan.outstanding > 0:
        return loan.outstanding
    last = loan.reports.filter(outstanding__gt=0).order_by("-as_of").values_list("outstanding", flat=True).first()
    return last if last is not None else loan.amount


def claim_refusal(loan: Loan, user: User) -> str:
    """Why ``user`` cannot file a claim on ``loan`` now ("" when they can)."""
    membership = membership_for_staff(user=user)
    if membership is None or membership.institution_id != loan.institution_id:
        return _("只有贷款银行的工作人员可以申请风险补偿。")
    enrolment = SchemeEnrolment.objects.filter(loan=loan).first()
    if enrolment is None:
        return _("该笔贷款未纳入风险补偿方案。")
    if loan.status not in CLAIMABLE_STATUSES:
        return _("贷款违约或核销后才能申请风险补偿。")
    if claim_live_for_enrolment(enrolment) is not None:
        return str(ClaimExists.message)
    return ""


@transaction.atomic
def claim_file(*, officer: User, loan: Loan, loss_amount: Decimal | None, note: str = "") -> CompensationClaim:
    """A bank officer claims compensation for a defaulted or written-off enrolled loan.

    Claimed = loss × coverage share, capped by what the scheme may still pay. Raises
    ClaimExists when the loan already has a live claim (a double submit lands on it).
    """
    membership = membership_for_staff(user=officer)
    if membership is None or membership.institution_id != loan.institution_id:
        raise PermissionDenied(_("只有贷款银行的工作人员可以申请风险补偿。"))
    enrolment = SchemeEnrolment.objects.select_for_update().filter(loan=loan).first()
    if enrolment is None:
        raise ValidationError(_("该笔贷款未纳入风险补偿方案。"))
    existing = claim_live_for_enrolment(enrolment)
    if existing is not None:
        raise ClaimExists(existing)
    loan.refresh_from_db()
    if loan.status not in CLAIMABLE_STATUSES:
        raise ValidationError(_("贷款违约或核销后才能申请风险补偿。"))
    cap = claim_loss_cap(loan)
    if loss_amount is None or loss_amount <= 0:
        raise ValidationError({"loss_amount": _("损失金额必须大于0。")})
    if loss_amount > cap:
        raise ValidationError({"loss_amount": _("损失金额不能超过贷款余额 %(a)s 万元。") % {"a": format_wan(cap)}})
    scheme = CompensationScheme.objects.select_for_update().get(pk=enrolment.scheme_id)
    room = scheme_claimable(scheme)
    if room <= 0:
        raise ValidationError(_("该方案的资金已用完，暂不能受理新的补偿申请。"))
    claimed = min(covered_amount(scheme, loss_amount), room)
    try:
        with transaction.atomic():
            claim = CompensationClaim.objects.create(
                enrolment=enrolment, loss_amount=loss_amount, claimed_amount=claimed, filed_by=officer,
                note=note.strip()[:1000],
            )  # fmt: skip
    except IntegrityError:  # a concurrent submit won (the one-live-claim constraint)
        raise ClaimExists(enrolment.claims.exclude(status=ClaimStatus.REJECTED).get()) from None
    audit_record(
        kind=AuditKind.COMPENSATION_CLAIM_FILED, user=officer, obj=claim, scheme=scheme.name, loan=loan.pk,
        loss=str(loss_amount), claimed=str(claimed),
    )  # fmt: skip
    for admin in User.objects.filter(Q(role=Role.PLATFORM_ADMIN) | Q(is_superuser=True), is_active=True):
        notify(
            user=admin,
            title=_("新的风险补偿申请：%(bank)s") % {"bank": loan.institution.short_name},
            body=_("%(ent)s，申请补偿 %(a)s 万元") % {"ent": loan.enterprise.name, "a": format_wan(claimed)},
            link=f"{CLAIMS_ADMIN_LINK}{claim.pk}/",
        )
    return claim


def _tell_bank(claim: CompensationClaim, title: str, body: str) -> None:
    loan = claim.enrolment.loan
    users = {claim.filed_by}
    managers = InstitutionMembership.objects.filter(institution_id=loan.institution_id, role=StaffRole.MANAGER)
    users |= {m.user for m in managers.select_related("user")}
    for user in users:
        notify(user=user, title=title, body=body, link=f"{CLAIMS_ADMIN_LINK}{claim.pk}/")


@transaction.atomic
def claim_decide(
    *, admin: User, claim: CompensationClaim, approve: bool, paid_amount: Decimal | None = None, reason: str = ""
) -> CompensationClaim:
    """Approve (with the amount paid) or reject (with a reason) a claim awaiting a decision."""
    if not _is_admin(admin):
        raise PermissionDenied(_("只有平台管理员可以审核风险补偿申请。"))
    claim = CompensationClaim.objects.select_for_update(of=("self",)).select_related("enrolment__loan").get(pk=claim.pk)
    if claim.status != ClaimStatus.SUBMITTED:
        raise ValidationError(_("该申请已审核，请刷新后查看。"))
    reason = reason.strip()
    scheme = CompensationScheme.objects.select_for_update().get(pk=claim.enrolment.scheme_id)
    if approve:
        if paid_amount is None or paid_amount <= 0:
            raise ValidationError({"paid_amount": _("核定补偿金额必须大于0。")})
        if paid_amount > claim.claimed_amount:
            raise ValidationError(
                {
                    "paid_amount": _("核定补偿金额不能超过申请金额 %(a)s 万元。")
                    % {"a": format_wan(claim.claimed_amount)}
                }
            )
        # This claim is pending, so it is counted in what is already committed: add it back.
        if paid_amount > scheme_claimable(scheme) + claim.claimed_amount:
            raise ValidationError({"paid_amount": _("核定补偿金额超过方案剩余资金。")})
    elif not reason:
        raise ValidationError({"reason": _("驳回时必须填写理由。")})
    claim.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    claim.paid_amount = paid_amount if approve else None
    claim.decided_by, claim.decided_at, claim.decision_reason = admin, timezone.now(), reason[:1000]
    claim.save(update_fields=["status", "paid_amount", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        kind=AuditKind.COMPENSATION_CLAIM_DECIDED, user=admin, obj=claim, decision=claim.status, scheme=scheme.name,
        paid=str(paid_amount) if approve else None, reason=reason,
    )  # fmt: skip
    loan = claim.enrolment.loan
    if approve:
        title = _("风险补偿申请已批准：%(ent)s") % {"ent": loan.enterprise.name}
        body = _("核定补偿 %(a)s 万元。") % {"a": format_wan(paid_amount)} + (reason and f" {reason}")
    else:
        title = _("风险补偿申请被驳回：%(ent)s") % {"ent": loan.enterprise.name}
        body = _("驳回理由：%(r)s") % {"r": reason}
    _tell_bank(claim, title, body)
    return claim
