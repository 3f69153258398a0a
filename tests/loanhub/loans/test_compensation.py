"""Risk compensation (风险补偿): enrolment at disbursement, claims, decisions, balances, audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from loanhub.accounts.models import Notification
from loanhub.audit.models import AuditEvent, AuditKind
from loanhub.loans.compensation import ClaimExists, claim_decide, claim_file, covered_amount
from loanhub.loans.compensation_selectors import claim_list_for_user, enrolment_list_for_user, scheme_report
from loanhub.loans.models import ClaimStatus, CompensationClaim, CompensationScheme, LoanStatus, SchemeEnrolment
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db


def scheme_create(**fields) -> CompensationScheme:
    products = fields.pop("products", [])
    values = {
        "name": "小微企业信贷风险补偿",
        "fund_name": "市级风险补偿资金池",
        "coverage_share": Decimal("50"),
        "loan_cap": Decimal("1000000"),
        "budget": Decimal("2000000"),
        "valid_from": date(2026, 1, 1),
        **fields,
    }
    scheme = CompensationScheme.objects.create(**values)
    scheme.products.set(products)
    return scheme


def _default(loan, status=LoanStatus.DEFAULTED, outstanding="300000"):
    type(loan).objects.filter(pk=loan.pk).update(status=status, outstanding=Decimal(outstanding))
    loan.refresh_from_db()
    return loan


def test_a_disbursed_loan_is_enrolled_with_its_covered_amount(bank_a_page, officer_a):
    scheme = scheme_create()
    loan = loan_create(bank_a_page, officer_a, amount=400_000)
    enrolment = SchemeEnrolment.objects.get(loan=loan)
    assert enrolment.scheme == scheme and enrolment.covered_amount == Decimal("200000.00")
    assert AuditEvent.objects.filter(kind=AuditKind.COMPENSATION_ENROLLED, object_id=str(enrolment.pk)).exists()


def test_enrolment_follows_products_zones_cap_validity_activity_and_budget(bank_a_page, officer_a):
    today = timezone.localdate()
    scheme_create(name="已停用", is_active=False)
    scheme_create(name="已过期", valid_until=today - timedelta(days=1))
    scheme_create(name="未生效", valid_from=today + timedelta(days=1))
    scheme_create(name="上限低", loan_cap=Decimal("300000"))
    scheme_create(name="绿色专区", zones=["绿色金融"])
    loan = loan_create(bank_a_page, officer_a, amount=400_000)
    assert not SchemeEnrolment.objects.filter(loan=loan).exists()
    green = loan_create(bank_a_page, officer_a, amount=400_000, tags=["绿色金融"])
    assert SchemeEnrolment.objects.get(loan=green).scheme.name == "绿色专区"


def test_a_scheme_listing_products_covers_only_those(bank_a_page, officer_a):
    first = loan_create(bank_a_page, officer_a, amount=400_000)
    scheme = scheme_create(products=[first.product])
    other = loan_create(bank_a_page, officer_a, amount=400_000)
    assert not SchemeEnrolment.objects.filter(loan=other).exists()
    again = loan_create(bank_a_page, officer_a, amount=400_000, title="贷后测试产品二")
    assert not SchemeEnrolment.objects.filter(loan=again).exists()
    assert scheme.enrolments.count() == 0  # the first loan was disbursed before the scheme existed


def test_no_enrolment_once_the_budget_is_promised(bank_a_page, officer_a):
    scheme = scheme_create(budget=Decimal("300000"))  # room for one cover of 200,000
    first = loan_create(bank_a_page, officer_a, amount=400_000)
    second = loan_create(bank_a_page, officer_a, amount=400_000)
    assert SchemeEnrolment.objects.filter(loan=first, scheme=scheme).exists()
    assert not SchemeEnrolment.objects.filter(loan=second).exists()


@pytest.fixture
def enrolled(bank_a_page, officer_a):
    scheme_create()
    return loan_create(bank_a_page, officer_a, amount=400_000)


def test_a_claim_needs_a_defaulted_loan_and_a_loss_within_the_balance(enrolled, officer_a):
    with pytest.raises(ValidationError):
        claim_file(officer=officer_a, loan=enrolled, loss_amount=Decimal("100000"))
    loan = _default(enrolled)
    with pytest.raises(ValidationError) as exc:
        claim_file(officer=officer_a, loan=loan, loss_amount=Decimal("300001"))
    assert "30 万元" in exc.value.message_dict["loss_amount"][0]
    claim = claim_file(officer=officer_a, loan=loan, loss_amount=Decimal("300000"), note="已核销")
    assert claim.claimed_amount == Decimal("150000.00") and claim.status == ClaimStatus.SUBMITTED
    assert AuditEvent.objects.filter(kind=AuditKind.COMPENSATION_CLAIM_FILED, object_id=str(claim.pk)).exists()


def test_claimed_amount_is_capped_by_what_the_scheme_may_still_pay(bank_a_page, officer_a):
    scheme = scheme_create(budget=Decimal("250000"))
    loan = _default(loan_create(bank_a_page, officer_a, amount=400_000), outstanding="400000")
    assert covered_amount(scheme, Decimal("400000")) == Decimal("200000.00")
    type(scheme).objects.filter(pk=scheme.pk).update(budget=Decimal("120000"))
    claim = claim_file(officer=officer_a, loan=loan, loss_amount=Decimal("400000"))
    assert claim.claimed_amount == Decimal("120000")


def test_a_double_submit_makes_one_claim(enrolled, officer_a):
    loan = _default(enrolled)
    first = claim_file(officer=officer_a, loan=loan, loss_amount=Decimal("300000"))
    with pytest.raises(ClaimExists) as exc:
        claim_file(officer=officer_a, loan=loan, loss_amount=Decimal("300000"))
    assert exc.value.claim == first and CompensationClaim.objects.count() == 1


def test_only_the_lending_banks_staff_may_claim(enrolled, manager_b):
    loan = _default(enrolled)
    with pytest.raises(PermissionDenied):
        claim_file(officer=manager_b, loan=loan, loss_amount=Decimal("300000"))
    assert not CompensationClaim.objects.exists()


def test_approval_pays_and_tells_the_bank_and_updates_the_balance(enrolled, officer_a, platform_admin):
    claim = claim_file(officer=officer_a, loan=_default(enrolled), loss_amount=Decimal("300000"))
    with pytest.raises(PermissionDenied):
        claim_decide(admin=officer_a, claim=claim, approve=True, paid_amount=Decimal("150000"))
    with pytest.raises(ValidationError):
        claim_decide(admin=platform_admin, claim=claim, approve=True, paid_amount=Decimal("150001"))
    claim = claim_decide(admin=platform_admin, claim=claim, approve=True, paid_amount=Decimal("140000"))
    assert claim.status == ClaimStatus.APPROVED and claim.paid_amount == Decimal("140000")
    assert Notification.objects.filter(user=officer_a, title__contains="已批准").exists()
    assert AuditEvent.objects.filter(kind=AuditKind.COMPENSATION_CLAIM_DECIDED, object_id=str(claim.pk)).exists()
    [row] = scheme_report()
    assert (row.enrolled, row.claims_filed, row.claims_approved, row.paid) == (1, 1, 1, Decimal("140000"))
    assert row.balance == Decimal("1860000") and row.exposure == 0


def test_rejection_needs_a_reason_and_allows_a_new_claim(enrolled, officer_a, platform_admin):
    loan = _default(enrolled)
    claim = claim_file(officer=officer_a, loan=loan, loss_amount=Decimal("300000"))
    with pytest.raises(ValidationError) as exc:
        claim_decide(admin=platform_admin, claim=claim, approve=False, reason="  ")
    assert "reason" in exc.value.message_dict
    claim = claim_decide(admin=platform_admin, claim=claim, approve=False, reason="材料不全")
    assert claim.status == ClaimStatus.REJECTED and claim.decision_reason == "材料不全"
    assert Notification.objects.filter(user=officer_a, body__contains="材料不全").exists()
    assert claim_file(officer=officer_a, loan=loan, loss_amount=Decimal("300000")).pk != claim.pk
    row = scheme_report()[0]
    assert (row.claims_filed, row.claims_rejected, row.claims_pending) == (2, 1, 1)


def test_a_bank_sees_only_its_own_enrolments_and_claims(enrolled, officer_a, manager_b, platform_admin):
    claim_file(officer=officer_a, loan=_default(enrolled), loss_amount=Decimal("300000"))
    assert claim_list_for_user(user=officer_a).count() == 1
    assert enrolment_list_for_user(user=officer_a).count() == 1
    assert claim_list_for_user(user=manager_b).count() == 0
    assert enrolment_list_for_user(user=manager_b).count() == 0
    assert claim_list_for_user(user=platform_admin).count() == 1
