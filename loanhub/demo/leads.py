"""Sandbox demo, matching part: demo_sme's need with leads at demo_bank's bank (one
claimed, one new) and six months of history across banks for the dashboard.
Deterministic (seeded) and idempotent.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from loanhub.accounts.models import Role, User
from loanhub.institutions.models import FinancialInstitution, InstitutionMembership
from loanhub.institutions.services import institution_add_staff
from loanhub.matching.exceptions import MatchingError
from loanhub.matching.lifecycle import lead_approve, lead_claim, lead_decline, lead_disburse, lead_start_review
from loanhub.matching.matcher import products_changed
from loanhub.matching.models import FinancingNeed, Lead, LeadEvent
from loanhub.matching.needs import need_apply_products, need_post, need_suggestions

from .context import SeedContext

PURPOSES = ["采购原材料", "补充流动资金", "购置生产设备", "支付员工工资", "扩大门店经营", "研发投入", "订单备货"]


def _apply_matches(user: User, need: FinancingNeed, limit: int) -> None:
    """The demo's SME ticks its best matches (posting a need applies to nothing by itself)."""
    chosen = [m.product_id for m in need_suggestions(need)][:limit]
    if chosen:
        need_apply_products(user=user, need=need, product_ids=chosen)


def seed_demo_need(ctx: SeedContext) -> None:
    products_changed()
    enterprise = ctx.enterprises["demo_sme"]
    if enterprise.needs.exists():
        return
    bank = ctx.banks["yuexin-bank"]
    need = need_post(
        user=ctx.users["demo_sme"], enterprise=enterprise, amount=600_000, term_months=12,
        purpose="采购原材料，完成新接的设备订单", visibility="chosen", banks=[bank],
    )  # fmt: skip
    _apply_matches(ctx.users["demo_sme"], need, limit=2)
    leads = list(need.leads.order_by("-bank_score"))
    if leads:
        lead_claim(lead=leads[0], officer=ctx.users["demo_bank"])
    ctx.progress(f"demo_sme 的融资需求已发布：{len(leads)} 条线索（1 条已受理）")


def _officer_for(bank: FinancialInstitution) -> User:
    existing = InstitutionMembership.objects.filter(institution=bank, role="officer").select_related("user").first()
    if existing:
        return existing.user
    user, created = User.objects.get_or_create(
        username=f"sandbox_officer_{bank.slug}",
        defaults={"role": Role.BANK_OFFICER, "display_name": f"{bank.short_name}客户经理"},
    )
    if created:
        user.set_unusable_password()
        user.save()
    institution_add_staff(institution=bank, user=user)
    return user


def _backdate(lead: Lead, days_ago: float) -> None:
    """Move a lead's whole timeline back in time, keeping its internal spacing."""
    shift = timedelta(days=days_ago)
    Lead.objects.filter(pk=lead.pk).update(
        created_at=F("created_at") - shift, claim_deadline=F("claim_deadline") - shift,
        decision_deadline=F("decision_deadline") - shift,
    )  # fmt: skip
    for field in ("claimed_at", "decided_at"):
        Lead.objects.filter(pk=lead.pk, **{f"{field}__isnull": False}).update(**{field: F(field) - shift})
    LeadEvent.objects.filter(lead=lead).update(at=F("at") - shift)
    lead.refresh_from_db()
    if lead.disbursed_on:
        Lead.objects.filter(pk=lead.pk).update(disbursed_on=lead.disbursed_on - shift)
    FinancingNeed.objects.filter(pk=lead.need_id).update(created_at=F("created_at") - shift)


def _walk(lead: Lead, rng: random.Random, officer: User) -> None:
    roll = rng.random()
    if roll < 0.12:
        return  # still new (some become overdue)
    late = rng.random() < 0.15
    lead = lead_claim(lead=lead, officer=officer)
    if late:
        Lead.objects.filter(pk=lead.pk).update(claimed_at=F("claim_deadline") + timedelta(hours=5))
    if roll < 0.22:
        return
    lead = lead_start_review(lead=lead, officer=officer)
    if roll < 0.45:
        lead_decline(lead=lead, officer=officer, reasons=rng.sample(["credit", "revenue", "leverage", "materials"], 2))
        return
    # Within the product's ranges and at most the need (lead_approve refuses anything else).
    product = lead.product
    amount = round(float(lead.need.amount) * rng.choice([0.6, 0.8, 1.0]), -3)
    amount = min(max(amount, float(product.amount_min)), float(product.amount_max), float(lead.need.amount))
    lead = lead_approve(
        lead=lead,
        officer=officer,
        amount=f"{amount:.2f}",
        rate=f"{min(float(product.rate_min) + rng.random(), float(product.rate_max)):.2f}",
        term_months=min(max(lead.need.term_months, product.term_min_months), product.term_max_months),
    )
    if roll < 0.55:
        return
    lead = lead_disburse(lead=lead, officer=officer, amount=lead.approved_amount, disbursed_on=timezone.localdate())


def seed_history(ctx: SeedContext) -> None:
    sandbox = [e for name, e in ctx.enterprises.items() if name.startswith("sandbox_sme_")]
    if not sandbox or FinancingNeed.objects.filter(enterprise__in=sandbox).exists():
        return
    rng = random.Random(2026)  # noqa: S311 — reproducible sandbox history, not a secret
    officers = {bank.pk: _officer_for(bank) for bank in ctx.banks.values()}
    made = 0
    for enterprise in sandbox:
        membership = enterprise.memberships.first()
        if membership is None:  # every sandbox enterprise is seeded with its owner
            continue
        owner = membership.user
        for _n in range(rng.choice([1, 1, 2])):
            try:
                with transaction.atomic():
                    need = need_post(
                        user=owner, enterprise=enterprise, amount=rng.choice([200_000, 500_000, 800_000, 1_500_000]),
                        term_months=rng.choice([6, 12, 24, 36]), purpose=rng.choice(PURPOSES),
                    )  # fmt: skip
                    _apply_matches(owner, need, limit=3)
            except (MatchingError, Exception) as exc:  # noqa: BLE001 — a demo enterprise that fits nothing is fine
                ctx.progress(f"  跳过 {enterprise.name}：{exc}")
                continue
            days_ago = rng.uniform(2, 180)
            for lead in need.leads.all()[:3]:
                _walk(lead, rng, officers[lead.institution_id])
                _backdate(lead, days_ago)
                made += 1
    # Whether the loans defaulted comes from their sandbox performance (loans.seed_loan_performance).
    from loanhub.matching.lifecycle import check_deadlines

    check_deadlines()
    ctx.progress(f"对接历史已生成：{made} 条线索（合成数据）")


LEADS_SEED_STEPS = [seed_demo_need, seed_history]
