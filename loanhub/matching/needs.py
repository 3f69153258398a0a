"""Writes for financing needs: post, edit, withdraw, rematch, apply to the products the SME chooses.

Matching suggests; only the SME applies. Posting a need creates leads for the matched
products the SME ticked (none if it ticked none), and a rematch (after an authorization
or the enterprise's data changed) only finds new suggestions, shown on the need's page
for the SME to apply to (DESIGN.md §6).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.accounts.services import notify
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.services import enterprise_require_verified
from loanhub.institutions.models import FinancialInstitution, InstitutionMembership

from . import matcher
from .clock import MatchingSettings, claim_deadline, decision_deadline, platform_settings
from .exceptions import ConsentMissing, NeedLocked, NotEligible
from .judgements import lead_judgements_refresh
from .models import (
    OPEN_LEAD_STATUSES,
    FinancingNeed,
    Lead,
    LeadEvent,
    LeadStatus,
    NeedSource,
    NeedStatus,
    Visibility,
)

COLLATERAL_KINDS = ("none", "mortgage", "guarantee", "pledge")
MAX_AMOUNT = Decimal("100000000")  # 1亿元: larger needs are not SME financing


def _require_member(user: User, enterprise: Enterprise) -> None:
    if not (user.is_sme and enterprise.memberships.filter(user=user).exists()):
        raise PermissionDenied(_("您不是该企业的成员。"))


def term_months_valid(value: object) -> int | None:
    """A loan term in whole months, 1 to 360; None when it is not one."""
    try:
        term = int(value)  # type: ignore[call-overload]  # any value: a TypeError means "not a term"
    except (TypeError, ValueError):
        return None
    return term if 1 <= term <= 360 else None


def _clean_terms(amount: object, term_months: object, purpose: str, collateral: list[str]) -> tuple[Decimal, int]:
    errors = {}
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if not (Decimal(1000) <= value <= MAX_AMOUNT):
        errors["amount"] = _("融资金额应在1千元至1亿元之间。")
    term = term_months_valid(term_months)
    if term is None:
        errors["term_months"] = _("期限应在1至360个月之间。")
    if not purpose.strip():
        errors["purpose"] = _("请说明资金用途。")
    if set(collateral) - set(COLLATERAL_KINDS):
        errors["collateral_offered"] = _("担保方式无效。")
    if errors or term is None:
        raise ValidationError(errors)
    return value, term


def consent_gaps(enterprise: Enterprise, visibility: str, banks: list[FinancialInstitution]) -> tuple[list, bool]:
    """Banks the enterprise still has to authorize, and whether an 'applied' grant is missing."""
    masks = matcher.consent_masks(enterprise)
    if -1 in masks:
        return [], False
    if visibility == Visibility.CHOSEN:
        return [b for b in banks if b.pk not in masks], False
    return [], True


@transaction.atomic
def need_post(
    *,
    user: User,
    enterprise: Enterprise,
    amount: object,
    term_months: object,
    purpose: str,
    urgency: str = "normal",
    collateral_offered: list[str] | None = None,
    product_types: list[str] | None = None,
    visibility: str = Visibility.ALL,
    banks: list[FinancialInstitution] | None = None,
    source: str = NeedSource.POSTED,
    product_ids: Collection[int] | None = None,
) -> FinancingNeed:
    """Post a need; apply to the matched products the SME chose (``product_ids``).

    Without ``product_ids`` no lead is made: the need's page shows its matches for the
    SME to choose from. A chosen product that does not match is refused (NotEligible).
    """
    _require_member(user, enterprise)
    enterprise_require_verified(enterprise)  # 待认证: no needs, no leads
    collateral_offered = list(collateral_offered or [])
    value, term = _clean_terms(amount, term_months, purpose, collateral_offered)
    banks = list(banks or [])
    if visibility == Visibility.CHOSEN and not banks:
        raise ValidationError({"banks": _("请至少选择一家金融机构。")})
    missing, applied = consent_gaps(enterprise, visibility, banks)
    if missing or applied:
        raise ConsentMissing(banks=missing, applied=applied)
    need = FinancingNeed.objects.create(
        enterprise=enterprise, created_by=user, amount=value, term_months=term,
        purpose=purpose.strip(), urgency=urgency, collateral_offered=collateral_offered,
        product_types=list(product_types or []), visibility=visibility, source=source,
    )  # fmt: skip
    if visibility == Visibility.CHOSEN:
        need.banks.set(banks)
    if product_ids:
        need_apply_products(user=user, need=need, product_ids=product_ids)
    return need


def _lead_for(
    need: FinancingNeed,
    match: matcher.Match,
    facts: matcher.EnterpriseFacts,
    *,
    source: str,
    referred_from: Lead | None,
    settings: MatchingSettings,
) -> Lead:
    now = timezone.now()
    return Lead(
        need=need, product_id=match.product_id, institution_id=match.institution_id,
        enterprise=need.enterprise, source=source, referred_from=referred_from,
        # The bank's judgement fields are filled from the scoped score (judgements.py),
        # never from the platform score in ``facts``.
        bank_score=match.bank_score,
        claim_deadline=claim_deadline(now, settings), decision_deadline=decision_deadline(now, settings),
        created_at=now,
    )  # fmt: skip


def leads_create(
    need: FinancingNeed,
    matches: list[matcher.Match],
    facts: matcher.EnterpriseFacts,
    *,
    source: str = NeedSource.POSTED,
    referred_from: Lead | None = None,
) -> list[Lead]:
    """Create the leads that do not exist yet (idempotent per need and product)."""
    if not need.enterprise.is_verified:  # no bank sees an enterprise still 待认证
        return []
    settings = platform_settings()
    existing = set(need.leads.values_list("product_id", flat=True))
    created = []
    for match in matches:
        if match.product_id in existing:
            continue
        lead = _lead_for(need, match, facts, source=source, referred_from=referred_from, settings=settings)
        try:
            with transaction.atomic():
                lead.save()
        except IntegrityError:  # a concurrent rematch made it first
            continue
        LeadEvent.objects.create(lead=lead, kind="created", to_status=LeadStatus.NEW, note=source)
        created.append(lead)
    lead_judgements_refresh(created)
    _announce(created)
    return created


def _announce(leads: list[Lead]) -> None:
    """Tell each bank's officers about its new leads (and the bank's systems, by webhook)."""
    from .events import lead_event

    by_institution: dict[int, list[Lead]] = {}
    for lead in leads:
        by_institution.setdefault(lead.institution_id, []).append(lead)
        lead_event(lead, "lead.new")
    for institution_id, items in by_institution.items():
        staff = InstitutionMembership.objects.filter(institution_id=institution_id).select_related("user")
        for membership in staff:
            notify(
                user=membership.user,
                title=_("新的融资线索 %(n)d 条") % {"n": len(items)},
                body="；".join(f"{lead.enterprise.name}：{lead.product.title}" for lead in items[:5]),
                link="/cms-admin/leads/",
            )


def need_suggestions(need: FinancingNeed, result: matcher.NeedMatches | None = None) -> list[matcher.Match]:
    """The matched products the SME may still apply to (best first): suggestions, never leads."""
    if need.status not in (NeedStatus.OPEN, NeedStatus.CLAIMED) or need.source != NeedSource.POSTED:
        return []
    result = result or matcher.match_need(need)
    applied = set(need.leads.values_list("product_id", flat=True))
    return [m for m in result.eligible if m.product_id not in applied]


def need_rematch(need: FinancingNeed) -> list[matcher.Match]:
    """Match the need afresh: new suggestions for the SME; no lead is made (the SME chooses)."""
    if need.status not in (NeedStatus.OPEN,):
        return []
    return need_suggestions(need)


def rematch_enterprise(enterprise: Enterprise) -> int:
    """After a consent or score change: how many products the enterprise's open needs may now apply to."""
    return sum(len(need_rematch(n)) for n in enterprise.needs.filter(status=NeedStatus.OPEN))


# An SME edits a need while its leads are all unclaimed, and withdraws it until a
# bank has approved one.
UNCLAIMED_LEAD_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.WITHDRAWN})
APPROVED_LEAD_STATUSES = frozenset({LeadStatus.APPROVED, LeadStatus.DISBURSED})


def need_can_edit(need: FinancingNeed, lead_statuses: Iterable[str]) -> bool:
    # A renewal (续贷) need belongs to its loan's renewal request: withdraw it and ask again instead.
    if need.source == NeedSource.RENEWAL:
        return False
    return need.status == NeedStatus.OPEN and set(lead_statuses) <= UNCLAIMED_LEAD_STATUSES


def need_can_withdraw(need: FinancingNeed, lead_statuses: Iterable[str]) -> bool:
    return need.status in (NeedStatus.OPEN, NeedStatus.CLAIMED) and not set(lead_statuses) & APPROVED_LEAD_STATUSES


@transaction.atomic
def need_update(*, user: User, need: FinancingNeed, **fields: Any) -> FinancingNeed:
    """Edit a need until a bank has claimed one of its leads."""
    _require_member(user, need.enterprise)
    need = FinancingNeed.objects.select_for_update().get(pk=need.pk)
    if not need_can_edit(need, need.leads.values_list("status", flat=True)):
        raise NeedLocked()
    banks = fields.pop("banks", None)
    chosen = list(need.leads.filter(status=LeadStatus.NEW).values_list("product_id", flat=True))
    for name, value in fields.items():
        setattr(need, name, value)
    need.amount, need.term_months = _clean_terms(need.amount, need.term_months, need.purpose, need.collateral_offered)
    need.save()
    if banks is not None:
        need.banks.set(banks)
    # Leads made from the old terms go; the products the SME had chosen are applied to
    # again under the new terms where they still match (the others become suggestions).
    for lead in need.leads.filter(status=LeadStatus.NEW):
        _close(lead, user, "need_changed", _("企业修改了融资需求"))
    need.leads.filter(status=LeadStatus.WITHDRAWN).delete()
    result = matcher.match_need(need)
    still = [m for m in result.eligible if m.product_id in set(chosen)]
    leads_create(need, still, result.facts, source=need.source)
    return need


def _close(lead: Lead, user: User | None, kind: str, note: str) -> None:
    from .events import lead_event

    updated = Lead.objects.filter(pk=lead.pk, status__in=OPEN_LEAD_STATUSES).update(
        status=LeadStatus.WITHDRAWN, updated_at=timezone.now()
    )
    if updated:
        LeadEvent.objects.create(
            lead=lead, kind=kind, from_status=lead.status, to_status=LeadStatus.WITHDRAWN, actor=user, note=note
        )
        lead_event(lead, "lead.withdrawn")


@transaction.atomic
def need_withdraw(*, user: User, need: FinancingNeed) -> FinancingNeed:
    """Withdraw a need at any time before a bank approved it."""
    _require_member(user, need.enterprise)
    need = FinancingNeed.objects.select_for_update().get(pk=need.pk)
    if need.leads.filter(status__in=APPROVED_LEAD_STATUSES).exists():
        raise ValidationError(_("已有金融机构批准该需求，不能撤回。"))
    if need.status == NeedStatus.WITHDRAWN:
        return need
    for lead in need.leads.filter(status__in=OPEN_LEAD_STATUSES):
        _close(lead, user, "withdrawn", _("企业撤回了融资需求"))
    need.status = NeedStatus.WITHDRAWN
    need.save(update_fields=["status", "updated_at"])
    return need


@transaction.atomic
def need_apply_products(*, user: User, need: FinancingNeed, product_ids: Collection[int]) -> list[Lead]:
    """Apply to the products the SME chose from the need's matches.

    Each must be an eligible match (NotEligible otherwise, with the reasons); products
    already applied to are kept as they are; at most ``max_leads_per_need`` in all.
    """
    _require_member(user, need.enterprise)
    enterprise_require_verified(need.enterprise)
    if need.status not in (NeedStatus.OPEN, NeedStatus.CLAIMED):
        raise ValidationError(_("该需求已结束，不能再申请。"))
    if need.source == NeedSource.RENEWAL:
        raise ValidationError(_("续贷申请只发送给原贷款的产品，不能再申请其他产品。"))
    wanted = list(dict.fromkeys(int(pk) for pk in product_ids))
    if not wanted:
        raise ValidationError(_("请至少选择一个产品。"))
    existing = {lead.product_id: lead for lead in need.leads.filter(product_id__in=wanted)}
    new_ids = [pk for pk in wanted if pk not in existing]
    limit = platform_settings().max_leads_per_need
    if new_ids and need.leads.exclude(status=LeadStatus.WITHDRAWN).count() + len(new_ids) > limit:
        raise ValidationError(_("一个融资需求最多申请 %(n)d 个产品。") % {"n": limit})
    result = matcher.match_need(need) if new_ids else None
    matches = []
    for pk in new_ids:
        match = next((m for m in result.eligible if m.product_id == pk), None) if result else None
        if match is None:
            near = next((m for m in result.near_misses if m.product_id == pk), None) if result else None
            raise NotEligible(near.reasons if near else [_("该产品不在您的匹配结果中。")])
        matches.append(match)
    created = leads_create(need, matches, result.facts, source=need.source) if result else []
    by_product = {**existing, **{lead.product_id: lead for lead in created}}
    return [by_product[pk] for pk in wanted if pk in by_product]


def need_apply_product(*, user: User, need: FinancingNeed, product_id: int) -> Lead:
    """Apply to one product from the need's matches (the SME's own choice)."""
    leads = need_apply_products(user=user, need=need, product_ids=[product_id])
    return leads[0] if leads else need.leads.get(product_id=product_id)  # a concurrent apply made it first


@transaction.atomic
def apply_direct(
    *,
    user: User,
    enterprise: Enterprise,
    product_id: int,
    amount: object,
    term_months: object,
    purpose: str,
    collateral_offered: list[str] | None = None,
) -> Lead:
    """Apply straight from the marketplace: a need for this one product, and its lead."""
    from cms.models import FinancingProductPage

    _require_member(user, enterprise)
    enterprise_require_verified(enterprise)
    product = FinancingProductPage.objects.live().filter(pk=product_id).first()
    if product is None or not product.is_open:
        raise NotEligible([_("该产品暂未上线或已停止接受申请。")])
    open_lead = Lead.objects.filter(enterprise=enterprise, product=product, status__in=OPEN_LEAD_STATUSES).first()
    if open_lead is not None:
        return open_lead  # a double click or a second tab gives the same application
    bank = product.institution
    need = need_post(
        user=user, enterprise=enterprise, amount=amount, term_months=term_months, purpose=purpose,
        collateral_offered=collateral_offered, product_types=[], visibility=Visibility.CHOSEN,
        banks=[bank], source=NeedSource.DIRECT,
    )  # fmt: skip
    lead = need_apply_product(user=user, need=need, product_id=product.pk)
    return lead
