"""Two submits at once over two real PostgreSQL connections: one claim, one renewal lead."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections need PostgreSQL (CI runs it)"),
]


def race(*actions) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action) -> None:
        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except Exception as exc:  # noqa: BLE001 — the outcome is the exception's name
            outcomes.append(type(exc).__name__)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


def test_two_claims_at_once_make_one(bank_a_page, officer_a):
    from loanhub.loans.compensation import claim_file
    from loanhub.loans.models import CompensationClaim, CompensationScheme, Loan, LoanStatus
    from tests.factories.loans import loan_create

    CompensationScheme.objects.create(
        name="方案", fund_name="资金池", coverage_share=Decimal("50"), loan_cap=Decimal("1000000"),
        budget=Decimal("2000000"), valid_from=date(2026, 1, 1),
    )  # fmt: skip
    loan = loan_create(bank_a_page, officer_a, amount=400_000)
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.DEFAULTED)

    def submit() -> None:
        claim_file(officer=officer_a, loan=Loan.objects.get(pk=loan.pk), loss_amount=Decimal("400000"))

    assert race(submit, submit) == ["ClaimExists", "ok"]
    assert CompensationClaim.objects.count() == 1


def test_two_renewal_requests_at_once_make_one_lead(bank_a_page, officer_a):
    from loanhub.loans.models import Loan, RenewalKind, RenewalRequest
    from loanhub.loans.renewals import renewal_request
    from loanhub.matching.models import Lead, NeedSource
    from tests.factories.loans import loan_create

    loan = loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=timezone.localdate() - timedelta(days=30))
    Loan.objects.filter(pk=loan.pk).update(maturity_date=timezone.localdate() + timedelta(days=30))
    user = loan.enterprise.memberships.first().user

    def submit() -> None:
        renewal_request(
            user=user, loan=Loan.objects.get(pk=loan.pk), kind=RenewalKind.NO_PRINCIPAL, amount=Decimal("400000"),
            term_months=12,
        )  # fmt: skip

    assert race(submit, submit) == ["RenewalAlreadyRequested", "ok"]
    assert RenewalRequest.objects.count() == 1 and Lead.objects.filter(source=NeedSource.RENEWAL).count() == 1
