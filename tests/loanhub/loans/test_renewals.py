"""Renewals (续贷): the window, one request at a time, a lead for the lending bank only,
and a disbursed renewal closing the old loan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from loanhub.loans.models import Loan, LoanStatus, RenewalKind, RenewalRequest
from loanhub.loans.renewals import (
    RENEWAL_WINDOW_DAYS,
    RenewalAlreadyRequested,
    RenewalError,
    renewal_refusal,
    renewal_request,
    renewal_stats_by_bank,
)
from loanhub.matching.lifecycle import lead_approve, lead_claim, lead_decline, lead_disburse
from loanhub.matching.models import Lead, LeadStatus, NeedSource
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db


def _loan_maturing_in(bank_page, officer, days: int):
    """A 12-month loan whose maturity is ``days`` from today."""
    loan = loan_create(bank_page, officer, amount=400_000, disbursed_on=timezone.localdate() - timedelta(days=30))
    type(loan).objects.filter(pk=loan.pk).update(maturity_date=timezone.localdate() + timedelta(days=days))
    loan.refresh_from_db()
    return loan


def _sme(loan):
    return loan.enterprise.memberships.select_related("user").first().user


def _ask(loan, kind=RenewalKind.NO_PRINCIPAL, amount=Decimal("400000"), term=12):
    return renewal_request(user=_sme(loan), loan=loan, kind=kind, amount=amount, term_months=term, reason="续期经营")


@pytest.fixture
def loan(bank_a_page, officer_a):
    return _loan_maturing_in(bank_a_page, officer_a, 30)


def test_a_renewal_is_a_lead_for_the_lending_bank_on_the_same_product(loan):
    request = _ask(loan)
    lead = request.lead
    assert (lead.institution_id, lead.product_id, lead.enterprise_id) == (
        loan.institution_id,
        loan.product_id,
        loan.enterprise_id,
    )
    assert lead.source == NeedSource.RENEWAL and lead.need.source == NeedSource.RENEWAL
    assert lead.status == LeadStatus.NEW and lead.need.amount == Decimal("400000")
    assert list(lead.need.banks.all()) == [loan.institution]
    assert lead.events.filter(kind="created", note=NeedSource.RENEWAL).exists()
    assert lead.claim_deadline > timezone.now()


@pytest.mark.parametrize(
    ("days", "allowed"), [(RENEWAL_WINDOW_DAYS + 1, False), (RENEWAL_WINDOW_DAYS, True), (0, True)]
)
def test_the_window_opens_before_maturity_and_closes_at_maturity(bank_a_page, officer_a, days, allowed):
    loan = _loan_maturing_in(bank_a_page, officer_a, days)
    assert (renewal_refusal(loan) == "") is allowed
    if not allowed:
        with pytest.raises(RenewalError):
            _ask(loan)
        assert not RenewalRequest.objects.exists()


def test_no_renewal_after_maturity_or_on_an_overdue_or_closed_loan(bank_a_page, officer_a):
    matured = _loan_maturing_in(bank_a_page, officer_a, -1)
    assert "到期" in renewal_refusal(matured)
    loan = _loan_maturing_in(bank_a_page, officer_a, 30)
    for status in (LoanStatus.DPD_1_30, LoanStatus.REPAID):
        type(loan).objects.filter(pk=loan.pk).update(status=status)
        loan.refresh_from_db()
        with pytest.raises(RenewalError):
            _ask(loan)
    assert not RenewalRequest.objects.exists()


def test_a_second_request_is_refused_while_the_first_is_in_progress(loan):
    first = _ask(loan)
    with pytest.raises(RenewalAlreadyRequested) as exc:
        _ask(loan, kind=RenewalKind.STANDARD, amount=Decimal("300000"))
    assert exc.value.request == first
    assert RenewalRequest.objects.count() == 1 and Lead.objects.filter(source=NeedSource.RENEWAL).count() == 1


def test_a_declined_renewal_may_be_asked_again(loan, officer_a):
    first = _ask(loan)
    lead = lead_claim(lead=first.lead, officer=officer_a)
    lead_decline(lead=lead, officer=officer_a, reasons=["credit"])
    second = _ask(loan, kind=RenewalKind.STANDARD, amount=Decimal("300000"))
    assert second.pk != first.pk and second.lead.status == LeadStatus.NEW


def test_figures_are_checked_against_the_loan_and_the_product(loan):
    with pytest.raises(ValidationError) as exc:
        _ask(loan, kind=RenewalKind.NO_PRINCIPAL, amount=Decimal("500000"), term=12)
    assert "原贷款金额 40 万元" in exc.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as exc:
        _ask(loan, kind=RenewalKind.STANDARD, amount=Decimal("400000"), term=999)
    assert "term_months" in exc.value.message_dict
    assert not RenewalRequest.objects.exists()


def test_disbursing_a_renewal_closes_the_old_loan_and_links_the_new_one(loan, officer_a):
    request = _ask(loan)
    lead = lead_claim(lead=request.lead, officer=officer_a)
    lead = lead_approve(lead=lead, officer=officer_a, amount=400_000, rate="3.90", term_months=12)
    lead_disburse(lead=lead, officer=officer_a, amount=400_000, disbursed_on=timezone.localdate())
    loan.refresh_from_db()
    new = Loan.objects.get(lead=lead)
    assert new.renewal_of_id == loan.pk and new.pk != loan.pk
    assert loan.status == LoanStatus.RENEWED and loan.outstanding == 0 and not loan.is_live
    report = loan.reports.get(as_of=timezone.localdate())
    assert report.status == LoanStatus.RENEWED


def test_renewal_stats_count_requests_decisions_and_rate_per_bank(loan, officer_a, bank_b_page):
    request = _ask(loan)
    lead = lead_claim(lead=request.lead, officer=officer_a)
    lead_approve(lead=lead, officer=officer_a, amount=400_000, rate="3.90", term_months=12)
    [row] = renewal_stats_by_bank()
    assert (row.institution_id, row.requested, row.approved, row.declined) == (loan.institution_id, 1, 1, 0)
    assert row.approval_rate == 1.0
    assert renewal_stats_by_bank(institution_id=bank_b_page.institution.pk) == []
