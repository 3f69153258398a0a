"""Needs, matching against real product pages, and the lead lifecycle."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from loanhub.accounts.models import Notification, Role
from loanhub.consent.models import GranteeType
from loanhub.institutions.services import institution_add_staff
from loanhub.matching.exceptions import (
    ConsentMissing,
    LeadAlreadyClaimed,
    LeadNotAllowed,
    LeadStateError,
    NeedLocked,
    NotEligible,
)
from loanhub.matching.lifecycle import (
    lead_approve,
    lead_assign,
    lead_claim,
    lead_decline,
    lead_disburse,
    lead_start_review,
)
from loanhub.matching.matcher import match_need, products_changed
from loanhub.matching.models import Lead, LeadStatus, NeedStatus
from loanhub.matching.needs import (
    apply_direct,
    need_apply_product,
    need_apply_products,
    need_post,
    need_suggestions,
    need_update,
    need_withdraw,
)
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.factories.credit import authorize
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sme(portal):
    membership = MembershipFactory(user=UserFactory(username="sme_owner"))
    return membership.user, membership.enterprise


@pytest.fixture
def products(bank_a_page, bank_b_page):
    made = {
        "a_credit": product_create(bank_a_page, title="甲信用贷", amount_max=1_000_000, rate_min=Decimal("3.50")),
        "a_big": product_create(bank_a_page, title="甲大额贷", amount_min=2_000_000, amount_max=9_000_000),
        "b_credit": product_create(bank_b_page, title="乙信用贷", amount_max=2_000_000, rate_min=Decimal("3.20")),
    }
    products_changed()
    return made


@pytest.fixture
def officer_b(bank_b_page):
    user = UserFactory(username="officer_b", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_b_page.institution, user=user)
    return user


@pytest.fixture
def officer_a2(bank_a_page):
    user = UserFactory(username="officer_a2", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_a_page.institution, user=user)
    return user


def post(user, enterprise, **overrides):
    """Post a need and apply to every product it matches (the SME ticks them all)."""
    fields = {"amount": 500_000, "term_months": 12, "purpose": "采购原材料"}
    fields.update(overrides)
    need = need_post(user=user, enterprise=enterprise, **fields)
    chosen = [m.product_id for m in need_suggestions(need)]
    if chosen:
        need_apply_products(user=user, need=need, product_ids=chosen)
    return need


def test_posting_needs_an_authorization_covering_the_banks(sme, products):
    user, enterprise = sme
    with pytest.raises(ConsentMissing) as exc:
        post(user, enterprise)
    assert exc.value.applied
    assert not enterprise.needs.exists()


def test_posted_need_becomes_leads_at_eligible_products_only(sme, products, bank_a, bank_b):
    user, enterprise = sme
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    need = post(user, enterprise)
    pushed = {lead.product_id for lead in need.leads.all()}
    assert pushed == {products["a_credit"].pk, products["b_credit"].pk}
    assert Notification.objects.filter(title__contains="新的融资线索").exists() is False  # no officers yet
    matches = match_need(need)
    near = {m.product_id: m.reasons for m in matches.near_misses}
    assert any("金额低于该产品下限" in r for r in near[products["a_big"].pk])


def test_chosen_banks_limit_who_sees_the_need(sme, products, bank_a, bank_b):
    user, enterprise = sme
    authorize(enterprise, institution=bank_b, categories=["registration"])
    with pytest.raises(ConsentMissing) as exc:
        post(user, enterprise, visibility="chosen", banks=[bank_a])
    assert exc.value.banks == [bank_a]
    need = post(user, enterprise, visibility="chosen", banks=[bank_b])
    assert {lead.institution_id for lead in need.leads.all()} == {bank_b.pk}


def test_need_validation_messages(sme, products):
    user, enterprise = sme
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    with pytest.raises(ValidationError) as exc:
        post(user, enterprise, amount=0, term_months=999, purpose=" ")
    assert {"amount", "term_months", "purpose"} <= set(exc.value.message_dict)


def test_another_enterprises_user_cannot_post(sme, products, other_sme_owner):
    _user, enterprise = sme
    other_user, _other = other_sme_owner
    with pytest.raises(PermissionDenied):
        post(other_user, enterprise)


@pytest.fixture
def need(sme, products):
    user, enterprise = sme
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    return post(user, enterprise)


def lead_at(need, bank):
    return need.leads.get(institution=bank)


def test_claim_then_review_then_approve_then_disburse(need, bank_a, officer_a):
    lead = lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    assert (lead.status, lead.claimed_by) == (LeadStatus.CLAIMED, officer_a)
    lead = lead_start_review(lead=lead, officer=officer_a)
    lead = lead_approve(lead=lead, officer=officer_a, amount=400_000, rate="3.85", term_months=12)
    assert lead.status == LeadStatus.APPROVED and lead.approved_amount == 400_000
    lead = lead_disburse(lead=lead, officer=officer_a, amount=400_000, disbursed_on=timezone.localdate())
    assert lead.status == LeadStatus.DISBURSED and lead.is_first_loan
    need.refresh_from_db()
    assert need.status == NeedStatus.FUNDED
    kinds = list(lead.events.values_list("kind", flat=True))
    assert kinds == ["created", "claimed", "in_review", "approved", "disbursed"]
    assert all(e.actor == officer_a for e in lead.events.exclude(kind="created"))
    user = need.created_by
    assert Notification.objects.filter(user=user, title__contains="批准").exists()


def test_second_officer_cannot_claim_a_claimed_lead(need, bank_a, officer_a, officer_a2):
    lead = lead_at(need, bank_a)
    lead_claim(lead=lead, officer=officer_a)
    with pytest.raises(LeadAlreadyClaimed) as exc:
        lead_claim(lead=Lead.objects.get(pk=lead.pk), officer=officer_a2)
    assert "已被其他客户经理受理" in str(exc.value)
    assert Lead.objects.get(pk=lead.pk).claimed_by == officer_a


def test_an_officer_of_another_bank_cannot_touch_the_lead(need, bank_a, officer_b):
    with pytest.raises(LeadNotAllowed):
        lead_claim(lead=lead_at(need, bank_a), officer=officer_b)


def test_decline_needs_one_to_four_reasons_and_the_sme_reads_them(need, bank_a, officer_a):
    lead = lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    with pytest.raises(ValidationError):
        lead_decline(lead=lead, officer=officer_a, reasons=[])
    with pytest.raises(ValidationError):
        lead_decline(lead=lead, officer=officer_a, reasons=["credit", "revenue", "leverage", "collateral", "industry"])
    lead = lead_decline(lead=lead, officer=officer_a, reasons=["leverage", "materials"], note="请补充近三月流水")
    assert lead.decline_reason_texts == ["现有负债水平偏高", "申请材料不完整，请补充后再申请"]
    notice = Notification.objects.filter(user=need.created_by, title__contains="暂未通过").get()
    assert "现有负债水平偏高" in notice.body


def test_decline_and_refer_creates_leads_at_other_banks(sme, products, bank_a, bank_b, officer_a):
    user, enterprise = sme
    authorize(enterprise, grantee_type=GranteeType.APPLIED, categories=["registration"])
    need = post(user, enterprise, visibility="all")
    need.leads.filter(institution=bank_b).delete()  # as if bank B's product had not matched before
    lead = lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    lead_decline(lead=lead, officer=officer_a, reasons=["credit"], refer=True)
    referral = need.leads.get(institution=bank_b)
    assert referral.source == "referral" and referral.referred_from == lead
    assert referral.status == LeadStatus.NEW


def test_approval_is_refused_twice_and_bad_terms_are_rejected(need, bank_a, officer_a):
    lead = lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    with pytest.raises(ValidationError) as exc:
        lead_approve(lead=lead, officer=officer_a, amount=-1, rate=40, term_months=0)
    assert {"amount", "rate", "term_months"} <= set(exc.value.message_dict)
    lead_approve(lead=lead, officer=officer_a, amount=100_000, rate=4, term_months=12)
    with pytest.raises(LeadStateError):
        lead_approve(lead=lead, officer=officer_a, amount=100_000, rate=4, term_months=12)


def test_disbursement_cannot_exceed_the_approved_amount(need, bank_a, officer_a):
    lead = lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    lead = lead_approve(lead=lead, officer=officer_a, amount=100_000, rate=4, term_months=12)
    with pytest.raises(ValidationError):
        lead_disburse(lead=lead, officer=officer_a, amount=200_000, disbursed_on=timezone.localdate())
    with pytest.raises(ValidationError):
        lead_disburse(
            lead=lead, officer=officer_a, amount=100_000, disbursed_on=timezone.localdate() + timedelta(days=1)
        )


def test_manager_assigns_a_lead_to_an_officer(need, bank_a, officer_a, manager_a):
    lead = lead_assign(lead=lead_at(need, bank_a), manager=manager_a, officer=officer_a)
    assert (lead.status, lead.claimed_by) == (LeadStatus.CLAIMED, officer_a)
    with pytest.raises(LeadNotAllowed):
        lead_assign(lead=lead, manager=officer_a, officer=officer_a)


def test_need_can_be_edited_until_a_bank_claims_it(need, sme, bank_a, officer_a):
    user, _enterprise = sme
    need = need_update(user=user, need=need, amount=800_000)
    assert need.amount == 800_000
    assert need.leads.filter(status=LeadStatus.NEW).count() == 2
    lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    with pytest.raises(NeedLocked):
        need_update(user=user, need=need, amount=900_000)


def test_withdrawing_before_approval_closes_open_leads(need, sme, bank_a, officer_a):
    user, _enterprise = sme
    lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    need_withdraw(user=user, need=need)
    assert set(need.leads.values_list("status", flat=True)) == {LeadStatus.WITHDRAWN}
    need.refresh_from_db()
    assert need.status == NeedStatus.WITHDRAWN


def test_no_withdrawal_after_approval(need, sme, bank_a, officer_a):
    user, _enterprise = sme
    lead = lead_claim(lead=lead_at(need, bank_a), officer=officer_a)
    lead_approve(lead=lead, officer=officer_a, amount=100_000, rate=4, term_months=12)
    with pytest.raises(ValidationError):
        need_withdraw(user=user, need=need)


def test_direct_application_is_idempotent_and_checks_eligibility(sme, products, bank_a):
    user, enterprise = sme
    authorize(enterprise, institution=bank_a, categories=["registration"])
    lead = apply_direct(
        user=user,
        enterprise=enterprise,
        product_id=products["a_credit"].pk,
        amount=300_000,
        term_months=12,
        purpose="周转",
    )
    again = apply_direct(
        user=user,
        enterprise=enterprise,
        product_id=products["a_credit"].pk,
        amount=300_000,
        term_months=12,
        purpose="周转",
    )
    assert again.pk == lead.pk
    assert Lead.objects.filter(enterprise=enterprise).count() == 1
    with pytest.raises(NotEligible) as exc:
        apply_direct(
            user=user,
            enterprise=enterprise,
            product_id=products["a_big"].pk,
            amount=300_000,
            term_months=12,
            purpose="周转",
        )
    assert any("下限" in r for r in exc.value.reasons)
    assert enterprise.needs.count() == 1  # the refused application left nothing behind


def test_applying_to_a_matched_product_from_the_need(need, sme, products):
    user, _enterprise = sme
    with pytest.raises(NotEligible):
        need_apply_product(user=user, need=need, product_id=products["a_big"].pk)
    existing = need.leads.first()
    assert need_apply_product(user=user, need=need, product_id=existing.product_id) == existing


def test_a_new_consent_suggests_but_never_applies(sme, products, bank_a, bank_b, django_capture_on_commit_callbacks):
    from loanhub.consent.services import authorization_grant
    from tests.factories.accounts import TEST_PASSWORD

    user, enterprise = sme
    authorize(enterprise, institution=bank_b, categories=["registration"])
    need = post(user, enterprise, visibility="chosen", banks=[bank_b])
    need.visibility = "all"
    need.save()
    assert set(need.leads.values_list("institution_id", flat=True)) == {bank_b.pk}
    with django_capture_on_commit_callbacks(execute=True):
        authorization_grant(
            enterprise=enterprise, user=user, password=TEST_PASSWORD, grantee_type=GranteeType.INSTITUTION,
            institution=bank_a, purpose="matching", categories=["registration"],
            data_from=timezone.localdate() - timedelta(days=365), expires_at=timezone.now() + timedelta(days=30),
        )  # fmt: skip
    # Bank A's product is now a suggestion on the need's page; only the SME applies to it.
    assert set(need.leads.values_list("institution_id", flat=True)) == {bank_b.pk}
    assert bank_a.pk in {m.institution_id for m in need_suggestions(need)}


def test_officers_never_see_another_banks_leads(need, bank_a, bank_b, officer_a, officer_b):
    from loanhub.matching.selectors import lead_get_for_staff, lead_list_for_staff

    mine = set(lead_list_for_staff(user=officer_a).values_list("institution_id", flat=True))
    assert mine == {bank_a.pk}
    other = lead_at(need, bank_b)
    assert lead_get_for_staff(user=officer_a, pk=other.pk) is None
