"""Approvals and disbursements are checked against the product's ranges and the need:
an officer who types 150 meaning 150万 can no longer record "批准 150 元"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from loanhub.matching.lifecycle import lead_approve, lead_claim, lead_disburse
from loanhub.matching.models import LeadStatus
from tests.factories.cms import product_create

from .helpers import lead_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(bank_a_page, officer_a):
    """A claimed lead: need 50万元 for 12 months on a product of 10–500万元, 3.45–4.20 %, 6–24 months."""
    product = product_create(bank_a_page, title="甲信用贷", amount_min=Decimal("100000"), amount_max=Decimal("5000000"))
    return lead_claim(lead=lead_for(product), officer=officer_a)


def refused(lead, officer, **figures) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        lead_approve(lead=lead, officer=officer, **{"amount": 400_000, "rate": "3.90", "term_months": 12, **figures})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLAIMED and lead.approved_amount is None
    return caught.value.message_dict


def test_150_yuan_on_a_product_from_10_wan_is_refused_with_the_range(lead, officer_a):
    errors = refused(lead, officer_a, amount=150)
    assert errors["amount"] == ["批准金额 0.015 万元不在本产品的额度范围内（10–500 万元）。"]


def test_an_amount_above_the_products_maximum_is_refused(lead, officer_a):
    assert "（10–500 万元）" in refused(lead, officer_a, amount=6_000_000)["amount"][0]


def test_rate_and_term_outside_the_product_are_refused_with_their_ranges(lead, officer_a):
    errors = refused(lead, officer_a, rate="5.00", term_months=36)
    assert errors["rate"] == ["年化利率 5.00% 不在本产品的利率范围内（3.45%–4.20%）。"]
    assert errors["term_months"] == ["期限 36 个月不在本产品的期限范围内（6–24 个月）。"]


def test_more_than_the_need_is_a_warning_that_must_be_confirmed(lead, officer_a):
    errors = refused(lead, officer_a, amount=800_000)
    assert list(errors) == ["confirm_above_need"]
    assert "批准金额 80 万元高于企业申请的 50 万元" in errors["confirm_above_need"][0]
    approved = lead_approve(
        lead=lead, officer=officer_a, amount=800_000, rate="3.90", term_months=12, confirm_above_need=True
    )
    assert approved.status == LeadStatus.APPROVED and approved.approved_amount == 800_000
    assert approved.events.get(kind="approved").note == "批准 80 万元，年化 3.90%，12 个月"


def test_a_disbursement_cannot_exceed_the_approval(lead, officer_a):
    lead = lead_approve(lead=lead, officer=officer_a, amount=400_000, rate="3.90", term_months=12)
    with pytest.raises(ValidationError) as caught:
        lead_disburse(lead=lead, officer=officer_a, amount="400000.01", disbursed_on=timezone.localdate())
    assert caught.value.message_dict["amount"] == ["放款金额 40.000001 万元超过批准金额 40 万元。"]
    lead = lead_disburse(lead=lead, officer=officer_a, amount=400_000, disbursed_on=timezone.localdate())
    assert lead.status == LeadStatus.DISBURSED
    assert lead.events.get(kind="disbursed").note == "放款 40 万元"


# ------------------------------------------------------------------ the workbench forms


def approve_url(lead) -> str:
    return reverse("leads_admin:action", args=[lead.pk, "approve"])


def test_the_officer_types_150_in_wan_and_the_page_shows_150_wan(client, lead, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert "批准金额（万元）" in page and 'value="50"' in page  # the need, in 万元
    assert "本产品额度 10–500 万元" in page
    lead.need.__class__.objects.filter(pk=lead.need_id).update(amount=2_000_000)  # the SME asked for 200万
    response = client.post(approve_url(lead), {"amount": "150", "rate": "3.90", "term_months": "12"}, follow=True)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.APPROVED and lead.approved_amount == Decimal("1500000")
    body = response.content.decode()
    assert "150 万元" in body and "批准 150 万元，年化 3.90%，12 个月" in body


def test_a_refused_figure_comes_back_beside_its_field_as_typed(client, lead, officer_a):
    client.force_login(officer_a)
    response = client.post(approve_url(lead), {"amount": "0.015", "rate": "3.90", "term_months": "12"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "不在本产品的额度范围内（10–500 万元）" in body
    assert 'value="0.015"' in body
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLAIMED


def test_above_the_need_the_page_asks_to_confirm_and_a_second_submit_approves(client, lead, officer_a):
    client.force_login(officer_a)
    figures = {"amount": "80", "rate": "3.90", "term_months": "12"}
    warned = client.post(approve_url(lead), figures)
    assert warned.status_code == 400
    body = warned.content.decode()
    assert "高于企业申请的 50 万元" in body and 'name="confirm_above_need"' in body
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CLAIMED
    client.post(approve_url(lead), {**figures, "confirm_above_need": "on"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.APPROVED and lead.approved_amount == 800_000


def test_the_confirm_box_is_not_offered_before_a_warning(client, lead, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert 'name="confirm_above_need"' not in page


def test_a_disbursement_above_the_approval_is_refused_on_the_page(client, lead, officer_a):
    lead = lead_approve(lead=lead, officer=officer_a, amount=400_000, rate="3.90", term_months=12)
    client.force_login(officer_a)
    response = client.post(
        reverse("leads_admin:action", args=[lead.pk, "disburse"]),
        {"amount": "41", "disbursed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "放款金额 41 万元超过批准金额 40 万元。" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.APPROVED
