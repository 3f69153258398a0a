"""A disbursed lead becomes a loan, in the same transaction, exactly once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cms.choices import RepaymentMethod
from loanhub.loans.models import Loan, LoanStatus
from loanhub.loans.schedule import add_months, schedule
from loanhub.loans.services import loan_open_from_lead
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db


def test_disbursing_a_lead_opens_its_loan_with_the_approved_terms(bank_a_page, officer_a):
    loan = loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=date(2026, 1, 31))
    assert (loan.amount, loan.annual_rate, loan.term_months) == (Decimal("400000"), Decimal("3.90"), 12)
    assert loan.maturity_date == date(2027, 1, 31)
    assert loan.status == LoanStatus.CURRENT and loan.outstanding == loan.amount
    assert loan.institution_id == loan.lead.institution_id and loan.is_first_loan


def test_opening_twice_returns_the_same_loan(bank_a_page, officer_a):
    loan = loan_create(bank_a_page, officer_a)
    assert loan_open_from_lead(lead=loan.lead).pk == loan.pk
    assert Loan.objects.count() == 1


def test_add_months_keeps_the_day_or_takes_the_months_last_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


@pytest.mark.parametrize("method", [m.value for m in RepaymentMethod])
def test_every_schedule_repays_exactly_the_principal(method):
    rows = schedule(amount=Decimal("100000"), annual_rate=Decimal("4.35"), term_months=12, method=method,
                    start=date(2026, 3, 10))  # fmt: skip
    assert sum(r.principal for r in rows) == Decimal("100000") and rows[-1].balance_after == 0
    assert len(rows) == 12 and rows[0].due_on == date(2026, 4, 10)


def test_equal_instalments_pay_the_same_total_each_month():
    rows = schedule(amount=Decimal("120000"), annual_rate=Decimal("6"), term_months=12,
                    method=RepaymentMethod.EQUAL_INSTALMENT, start=date(2026, 1, 1))  # fmt: skip
    totals = {r.total for r in rows[:-1]}
    assert len(totals) == 1 and totals.pop() == Decimal("10327.97")
