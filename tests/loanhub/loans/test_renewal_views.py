"""Renewal pages: the SME's form and loan panel, the lead page's 续贷申请 section, who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.loans.models import RenewalKind, RenewalRequest
from loanhub.loans.renewals import renewal_request
from loanhub.matching.models import Lead, NeedSource
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(bank_a_page, officer_a):
    loan = loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=timezone.localdate() - timedelta(days=30))
    type(loan).objects.filter(pk=loan.pk).update(maturity_date=timezone.localdate() + timedelta(days=40))
    loan.refresh_from_db()
    return loan


@pytest.fixture
def sme(loan):
    return loan.enterprise.memberships.select_related("user").first().user


def _url(loan):
    return f"/enterprises/{loan.enterprise.uscc}/loans/{loan.pk}/renew/"


FORM = {"kind": RenewalKind.NO_PRINCIPAL, "amount": "40", "term_months": "12", "reason": "订单增长"}


def test_the_sme_loan_page_offers_renewal_and_the_form_shows_the_loan(client, loan, sme):
    client.force_login(sme)
    page = client.get(f"/enterprises/{loan.enterprise.uscc}/loans/{loan.pk}/").content.decode()
    assert 'id="loan-renewal"' in page and _url(loan) in page
    form = client.get(_url(loan)).content.decode()
    assert "无还本续贷" in form and 'value="40"' in form  # the loan's amount, in 万元


def test_posting_the_form_makes_one_renewal_lead_in_yuan_even_on_a_double_click(client, loan, sme):
    client.force_login(sme)
    first = client.post(_url(loan), FORM)
    second = client.post(_url(loan), FORM)
    request = RenewalRequest.objects.get()
    assert request.amount == 400_000 and request.kind == RenewalKind.NO_PRINCIPAL
    assert Lead.objects.filter(source=NeedSource.RENEWAL).count() == 1
    need_url = f"/enterprises/{loan.enterprise.uscc}/needs/{request.lead.need_id}/"
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == need_url


def test_invalid_figures_come_back_beside_their_fields(client, loan, sme):
    client.force_login(sme)
    response = client.post(_url(loan), {**FORM, "amount": "50"})
    assert response.status_code == 400
    assert "无还本续贷的金额不能超过原贷款金额 40 万元" in response.content.decode()
    assert not RenewalRequest.objects.exists()


def test_outside_the_window_the_form_says_why_and_makes_nothing(client, loan, sme):
    type(loan).objects.filter(pk=loan.pk).update(maturity_date=timezone.localdate() + timedelta(days=200))
    client.force_login(sme)
    page = client.get(_url(loan)).content.decode()
    assert 'id="renewal-refusal"' in page and "到期前 90 天" in page
    client.post(_url(loan), FORM)
    assert not RenewalRequest.objects.exists()


def test_another_enterprises_loan_is_not_found(client, loan):
    stranger = MembershipFactory(user=UserFactory())
    client.force_login(stranger.user)
    # Its own enterprise in the path, someone else's loan id: 404, nothing made.
    assert client.get(f"/enterprises/{stranger.enterprise.uscc}/loans/{loan.pk}/renew/").status_code == 404
    assert client.post(f"/enterprises/{stranger.enterprise.uscc}/loans/{loan.pk}/renew/", FORM).status_code == 404
    # The loan's enterprise in the path, but not a member: 404 too.
    assert client.get(_url(loan)).status_code == 404
    assert not RenewalRequest.objects.exists()


def test_the_renewal_lead_shows_the_loan_history_to_the_lending_bank_only(client, loan, sme, officer_a, manager_b):
    request = renewal_request(
        user=sme, loan=loan, kind=RenewalKind.STANDARD, amount=300_000, term_months=12, reason="继续周转"
    )
    client.force_login(officer_a)
    page = client.get(f"/cms-admin/leads/{request.lead_id}/").content.decode()
    assert 'id="renewal-request"' in page and "续贷（先还后贷）" in page and "继续周转" in page
    assert f"/cms-admin/loans/{loan.pk}/" in page  # the original loan, with its history
    listing = client.get("/cms-admin/leads/").content.decode()
    assert f"/cms-admin/leads/{request.lead_id}/" in listing and 'class="renewal-tag"' in listing
    client.force_login(manager_b)
    assert client.get(f"/cms-admin/leads/{request.lead_id}/").status_code == 404
    assert f"/cms-admin/leads/{request.lead_id}/" not in client.get("/cms-admin/leads/").content.decode()


def test_the_bank_loan_page_lists_the_renewal_request(client, loan, sme, officer_a):
    request = renewal_request(
        user=sme, loan=loan, kind=RenewalKind.NO_PRINCIPAL, amount=400_000, term_months=12, reason=""
    )
    client.force_login(officer_a)
    page = client.get(f"/cms-admin/loans/{loan.pk}/").content.decode()
    assert 'id="loan-renewal"' in page and f"/cms-admin/leads/{request.lead_id}/" in page


def test_the_renewal_need_cannot_be_edited_or_extended_to_other_products(client, loan, sme, bank_a_page):
    from django.core.exceptions import ValidationError

    from loanhub.matching.exceptions import NeedLocked
    from loanhub.matching.needs import need_apply_products, need_update
    from tests.factories.cms import product_create

    request = renewal_request(
        user=sme, loan=loan, kind=RenewalKind.NO_PRINCIPAL, amount=400_000, term_months=12, reason=""
    )
    need = request.lead.need
    client.force_login(sme)
    page = client.get(f"/enterprises/{loan.enterprise.uscc}/needs/{need.pk}/").content.decode()
    assert 'id="matches"' not in page and f"/needs/{need.pk}/edit/" not in page
    with pytest.raises(NeedLocked):
        need_update(user=sme, need=need, amount=300_000)
    other = product_create(bank_a_page, title="另一产品")
    with pytest.raises(ValidationError):
        need_apply_products(user=sme, need=need, product_ids=[other.pk])
    request.lead.refresh_from_db()
    assert request.lead.status == "new" and need.leads.count() == 1
