"""The lead lifecycle (DESIGN.md §6): claim, assign, review, approve, decline
(and refer), disburse — each transition atomic, recorded and announced.

    new ─claim─▶ claimed ─▶ in_review ─▶ approved ─▶ disbursed
                                   └───▶ declined (1–4 reasons; optional referral)
    withdrawn (by the SME before approval); overdue is a flag set by the clock.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.accounts.services import notify
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.institutions.models import InstitutionMembership, StaffRole
from loanhub.institutions.selectors import membership_for_staff
from loanhub.money import format_wan

from .clock import decision_deadline
from .events import lead_event, lead_transition
from .exceptions import LeadAlreadyClaimed, LeadNotAllowed, LeadStateError
from .judgements import lead_judgements_refresh
from .models import DeclineReason, Lead, LeadEvent, LeadStatus, NeedSource, NeedStatus
from .needs import term_months_valid

MAX_DECLINE_REASONS = 4


def _membership(user: User, lead: Lead) -> InstitutionMembership:
    membership = membership_for_staff(user=user)
    if membership is None or membership.institution_id != lead.institution_id:
        raise LeadNotAllowed()
    return membership


def _move(
    lead: Lead, user: User | None, *, frm: tuple[str, ...], to: str, kind: str, note: str = "", **fields: object
) -> Lead:
    """Conditional update: only one of two concurrent requests can make a given move."""
    now = timezone.now()
    updated = Lead.objects.filter(pk=lead.pk, status__in=frm).update(status=to, updated_at=now, **fields)
    if not updated:
        raise LeadStateError()
    previous = lead.status
    lead.refresh_from_db()
    LeadEvent.objects.create(
        lead=lead, kind=kind, from_status=previous, to_status=to, actor=user, note=note[:500], at=now
    )
    lead_transition(lead, kind)
    return lead


def _tell_sme(lead: Lead, title: str, body: str = "") -> None:
    for membership in lead.enterprise.memberships.select_related("user"):
        notify(
            user=membership.user,
            title=title,
            body=body,
            link=f"/enterprises/{lead.enterprise.uscc}/needs/{lead.need_id}/",
        )


@transaction.atomic
def lead_claim(*, lead: Lead, officer: User) -> Lead:
    """Claim a new (or overdue-but-unclaimed) lead; exactly one of two officers wins."""
    _membership(officer, lead)
    now = timezone.now()
    updated = Lead.objects.filter(pk=lead.pk, status=LeadStatus.NEW).update(
        status=LeadStatus.CLAIMED, claimed_by=officer, claimed_at=now, updated_at=now,
        decision_deadline=decision_deadline(now),
    )  # fmt: skip
    if not updated:
        lead.refresh_from_db()
        if lead.status == LeadStatus.CLAIMED:
            raise LeadAlreadyClaimed()
        raise LeadStateError()
    lead.refresh_from_db()
    LeadEvent.objects.create(
        lead=lead, kind="claimed", from_status=LeadStatus.NEW, to_status=LeadStatus.CLAIMED, actor=officer, at=now
    )
    lead.need.__class__.objects.filter(pk=lead.need_id, status=NeedStatus.OPEN).update(status=NeedStatus.CLAIMED)
    _tell_sme(lead, _("%(bank)s 已受理您的融资申请") % {"bank": lead.institution.short_name}, lead.product.title)
    return lead


@transaction.atomic
def lead_assign(*, lead: Lead, manager: User, officer: User) -> Lead:
    """A manager gives a lead to one of the bank's officers."""
    if _membership(manager, lead).role != StaffRole.MANAGER:
        raise LeadNotAllowed()
    _membership(officer, lead)
    now = timezone.now()
    if lead.status == LeadStatus.NEW:
        lead_claim(lead=lead, officer=officer)
    updated = Lead.objects.filter(pk=lead.pk, status__in=(LeadStatus.CLAIMED, LeadStatus.IN_REVIEW)).update(
        claimed_by=officer, updated_at=now
    )
    if not updated:
        raise LeadStateError()
    lead.refresh_from_db()
    LeadEvent.objects.create(
        lead=lead,
        kind="assigned",
        from_status=lead.status,
        to_status=lead.status,
        actor=manager,
        note=str(officer),
        at=now,
    )
    notify(user=officer, title=_("主管分配给您一条线索"), body=str(lead), link=f"/cms-admin/leads/{lead.pk}/")
    return lead


def _is_handler(user: User, lead: Lead) -> None:
    membership = _membership(user, lead)
    if membership.role != StaffRole.MANAGER and lead.claimed_by_id not in (None, user.pk):
        raise LeadNotAllowed()


@transaction.atomic
def lead_start_review(*, lead: Lead, officer: User) -> Lead:
    _is_handler(officer, lead)
    lead = _move(lead, officer, frm=(LeadStatus.CLAIMED,), to=LeadStatus.IN_REVIEW, kind="in_review")
    _tell_sme(lead, _("%(bank)s 正在审查您的融资申请") % {"bank": lead.institution.short_name})
    return lead


def _decimal(value: object, field: str, message: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: message}) from None


def approval_errors(*, lead: Lead, amount: Decimal, rate: Decimal, term: int | None) -> dict[str, str]:
    """What makes an approval impossible: each figure outside its basic bounds or outside
    the product's range, with the range in the message (amounts in 万元, as typed)."""
    product = lead.product
    errors: dict[str, str] = {}
    if amount <= 0:
        errors["amount"] = _("批准金额必须大于0。")
    elif not product.amount_min <= amount <= product.amount_max:
        errors["amount"] = _("批准金额 %(a)s 万元不在本产品的额度范围内（%(lo)s–%(hi)s 万元）。") % {
            "a": format_wan(amount, 6), "lo": format_wan(product.amount_min), "hi": format_wan(product.amount_max)
        }  # fmt: skip
    if not Decimal(0) < rate <= Decimal(36):
        errors["rate"] = _("年化利率应在0至36%之间。")
    elif not product.rate_min <= rate <= product.rate_max:
        errors["rate"] = _("年化利率 %(r)s%% 不在本产品的利率范围内（%(lo)s%%–%(hi)s%%）。") % {
            "r": rate, "lo": product.rate_min, "hi": product.rate_max
        }  # fmt: skip
    if term is None:
        errors["term_months"] = _("期限应在1至360个月之间。")
    elif not product.term_min_months <= term <= product.term_max_months:
        errors["term_months"] = _("期限 %(t)d 个月不在本产品的期限范围内（%(lo)d–%(hi)d 个月）。") % {
            "t": term, "lo": product.term_min_months, "hi": product.term_max_months
        }  # fmt: skip
    return errors


def above_need_warning(*, lead: Lead, amount: Decimal) -> str:
    """A warning (to be confirmed, not a refusal) when more is approved than was asked for."""
    if amount <= lead.need.amount:
        return ""
    return _("批准金额 %(a)s 万元高于企业申请的 %(n)s 万元，请核对；确认无误请勾选“确认高于申请金额”后再提交。") % {
        "a": format_wan(amount), "n": format_wan(lead.need.amount)
    }  # fmt: skip


@transaction.atomic
def lead_approve(
    *,
    lead: Lead,
    officer: User,
    amount: object,
    rate: object,
    term_months: object,
    confirm_above_need: bool = False,
) -> Lead:
    """Approve in 元 (``amount``), within the product's amount, rate and term ranges;
    more than the need asked for only with ``confirm_above_need``."""
    _is_handler(officer, lead)
    amount_d = _decimal(amount, "amount", _("请填写批准金额。"))
    rate_d = _decimal(rate, "rate", _("请填写年化利率。"))
    term = term_months_valid(term_months)
    errors = approval_errors(lead=lead, amount=amount_d, rate=rate_d, term=term)
    if errors:
        raise ValidationError(errors)
    warning = above_need_warning(lead=lead, amount=amount_d)
    if warning and not confirm_above_need:
        raise ValidationError({"confirm_above_need": ValidationError(warning, code="above_need")})
    note = _("批准 %(a)s 万元，年化 %(r)s%%，%(t)d 个月") % {"a": format_wan(amount_d), "r": rate_d, "t": term}
    lead = _move(
        lead, officer, frm=(LeadStatus.CLAIMED, LeadStatus.IN_REVIEW), to=LeadStatus.APPROVED, kind="approved",
        note=note, approved_amount=amount_d, approved_rate=rate_d, approved_term=term,
        decided_by=officer, decided_at=timezone.now(),
    )  # fmt: skip
    audit_record(
        kind=AuditKind.LEAD_DECISION,
        user=officer,
        obj=lead,
        decision="approved",
        amount=str(amount_d),
        rate=str(rate_d),
        term=term,
        above_need=bool(warning),
    )
    _tell_sme(lead, _("恭喜！%(bank)s 批准了您的融资申请") % {"bank": lead.institution.short_name}, note)
    return lead


@transaction.atomic
def lead_decline(*, lead: Lead, officer: User, reasons: list[str], note: str = "", refer: bool = False) -> Lead:
    """Decline with 1–4 reasons from the fixed list; optionally refer to other banks."""
    _is_handler(officer, lead)
    reasons = list(dict.fromkeys(reasons))
    if not 1 <= len(reasons) <= MAX_DECLINE_REASONS or set(reasons) - set(DeclineReason.values):
        raise ValidationError({"reasons": _("请从列表中选择1至4项未通过原因。")})
    lead = _move(
        lead, officer, frm=(LeadStatus.CLAIMED, LeadStatus.IN_REVIEW), to=LeadStatus.DECLINED, kind="declined",
        note=note, decline_reasons=reasons, decline_note=note[:500], decided_by=officer, decided_at=timezone.now(),
    )  # fmt: skip
    audit_record(
        kind=AuditKind.LEAD_DECISION, user=officer, obj=lead, decision="declined", reasons=reasons, refer=refer
    )
    referrals = lead_refer(lead) if refer else []
    body = "；".join(lead.decline_reason_texts)
    if referrals:
        body += _("。已为您转介至 %(n)d 家其他金融机构。") % {"n": len({r.institution_id for r in referrals})}
    _tell_sme(lead, _("%(bank)s 暂未通过您的申请") % {"bank": lead.institution.short_name}, body)
    return lead


def lead_refer(lead: Lead) -> list[Lead]:
    """Decline-and-refer: push the need to eligible products of *other* banks."""
    from . import matcher
    from .needs import leads_create

    result = matcher.match_need(lead.need)
    taken = set(lead.need.leads.values_list("institution_id", flat=True))
    others = [m for m in result.eligible if m.institution_id not in taken]
    best_per_bank: dict[int, matcher.Match] = {}
    for match in others:
        best_per_bank.setdefault(match.institution_id, match)
    picked = list(best_per_bank.values())[:3]
    return leads_create(lead.need, picked, result.facts, source=NeedSource.REFERRAL, referred_from=lead)


@transaction.atomic
def lead_disburse(*, lead: Lead, officer: User, amount: object, disbursed_on: date | str) -> Lead:
    """放款反馈: record the amount and date actually disbursed."""
    _is_handler(officer, lead)
    amount_d = _decimal(amount, "amount", _("请填写放款金额。"))
    day = disbursed_on if isinstance(disbursed_on, date) else _parse_day(disbursed_on)
    lead.refresh_from_db()
    errors = {}
    if amount_d <= 0:
        errors["amount"] = _("放款金额必须大于0。")
    elif lead.approved_amount is not None and amount_d > lead.approved_amount:
        errors["amount"] = _("放款金额 %(a)s 万元超过批准金额 %(b)s 万元。") % {
            "a": format_wan(amount_d, 6), "b": format_wan(lead.approved_amount, 6)
        }  # fmt: skip
    if day > timezone.localdate() or (lead.decided_at and day < timezone.localtime(lead.decided_at).date()):
        errors["disbursed_on"] = _("放款日期应在批准之后、今天之前。")
    if errors:
        raise ValidationError(errors)
    first = not Lead.objects.filter(enterprise=lead.enterprise, status=LeadStatus.DISBURSED).exists()
    note = _("放款 %(a)s 万元") % {"a": format_wan(amount_d)}
    lead = _move(
        lead, officer, frm=(LeadStatus.APPROVED,), to=LeadStatus.DISBURSED, kind="disbursed",
        note=note, disbursed_amount=amount_d, disbursed_on=day,
        is_first_loan=first,
    )  # fmt: skip
    lead.need.__class__.objects.filter(pk=lead.need_id).update(status=NeedStatus.FUNDED)
    lead_judgements_refresh([lead])  # a live loan: monitoring authorizations now count too
    audit_record(
        kind=AuditKind.LEAD_DECISION,
        user=officer,
        obj=lead,
        decision="disbursed",
        amount=str(amount_d),
        on=day.isoformat(),
    )
    _tell_sme(lead, _("%(bank)s 已放款") % {"bank": lead.institution.short_name}, note)
    return lead


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({"disbursed_on": _("日期格式应为 YYYY-MM-DD。")}) from None


# ------------------------------------------------------------------------ the clock


def check_deadlines(now: datetime | None = None) -> int:
    """Mark leads whose claim or decision deadline has passed as overdue; tell managers.

    Correct whenever it runs: it compares stored deadlines with ``now`` and records
    the deadline that was missed, not the time the check happened to run.
    """
    now = now or timezone.now()
    late_claim = Q(status=LeadStatus.NEW, claim_deadline__lt=now)
    late_decision = Q(status__in=(LeadStatus.CLAIMED, LeadStatus.IN_REVIEW), decision_deadline__lt=now)
    marked = 0
    for lead in Lead.objects.filter(late_claim | late_decision, is_overdue=False).select_related(
        "institution", "enterprise"
    ):
        stage = "claim" if lead.status == LeadStatus.NEW else "decision"
        missed = lead.claim_deadline if stage == "claim" else lead.decision_deadline
        with transaction.atomic():
            if not Lead.objects.filter(pk=lead.pk, is_overdue=False).update(
                is_overdue=True, overdue_stage=stage, overdue_at=missed
            ):
                continue
            LeadEvent.objects.create(
                lead=lead, kind="overdue", from_status=lead.status, to_status=lead.status, note=stage, at=now
            )
            _escalate(lead, stage)
            lead_event(lead, "lead.overdue")
        marked += 1
    return marked


def _escalate(lead: Lead, stage: str) -> None:
    managers = InstitutionMembership.objects.filter(institution_id=lead.institution_id, role=StaffRole.MANAGER)
    title = _("线索超时未受理") if stage == "claim" else _("线索超时未审批")
    for membership in managers.select_related("user"):
        notify(
            user=membership.user,
            title=f"{title}：{lead.enterprise.name}",
            body=lead.product.title,
            link=f"/cms-admin/leads/{lead.pk}/",
        )
