"""Risk-compensation pages: schemes in the back office (administrators only, 万元 in the form),
claims from the loan page, the decision, the report, and who sees what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loanhub.audit.models import AuditEvent, AuditKind
from loanhub.loans.compensation import claim_file
from loanhub.loans.models import ClaimStatus, CompensationClaim, CompensationScheme, LoanStatus
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

SCHEMES = "/cms-admin/compensation/schemes/"
CLAIMS = "/cms-admin/compensation/claims/"
REPORT = "/cms-admin/compensation/report/"


def _scheme(**fields):
    values = {
        "name": "小微企业信贷风险补偿",
        "fund_name": "市级风险补偿资金池",
        "coverage_share": Decimal("50"),
        "loan_cap": Decimal("1000000"),
        "budget": Decimal("2000000"),
        "valid_from": date(2026, 1, 1),
        **fields,
    }
    return CompensationScheme.objects.create(**values)


@pytest.fixture
def defaulted(bank_a_page, officer_a):
    _scheme()
    loan = loan_create(bank_a_page, officer_a, amount=400_000)
    type(loan).objects.filter(pk=loan.pk).update(status=LoanStatus.DEFAULTED, outstanding=Decimal("300000"))
    loan.refresh_from_db()
    return loan


def test_an_administrator_creates_a_scheme_in_wan_and_it_is_audited(client, platform_admin):
    client.force_login(platform_admin)
    form = client.get(SCHEMES + "new/").content.decode()
    assert "单笔贷款上限（万元）" in form and "资金规模（万元）" in form
    response = client.post(
        SCHEMES + "new/",
        {
            "name": "绿色贷款风险补偿", "fund_name": "省级资金池", "coverage_share": "40", "loan_cap": "300",
            "budget": "5000", "valid_from": "2026-01-01", "valid_until": "", "is_active": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    scheme = CompensationScheme.objects.get(name="绿色贷款风险补偿")
    assert (scheme.loan_cap, scheme.budget) == (Decimal("3000000"), Decimal("50000000"))
    assert scheme.created_by == platform_admin
    assert AuditEvent.objects.filter(kind=AuditKind.COMPENSATION_SCHEME_SAVED, object_id=str(scheme.pk)).exists()
    listing = client.get(SCHEMES).content.decode()
    assert "绿色贷款风险补偿" in listing and "5,000 万元" in listing


def test_scheme_dates_must_be_in_order(client, platform_admin):
    client.force_login(platform_admin)
    response = client.post(
        SCHEMES + "new/",
        {"name": "错", "fund_name": "池", "coverage_share": "40", "loan_cap": "300", "budget": "5000",
         "valid_from": "2026-06-01", "valid_until": "2026-01-01"},
    )  # fmt: skip
    assert "截止日期不能早于生效日期" in response.content.decode()
    assert not CompensationScheme.objects.exists()


def test_bank_staff_cannot_manage_schemes_or_see_the_report(client, officer_a):
    scheme = _scheme()
    client.force_login(officer_a)
    for url in (SCHEMES, SCHEMES + "new/", f"{SCHEMES}edit/{scheme.pk}/", REPORT):
        assert client.get(url).status_code in (302, 403), url
    client.post(f"{SCHEMES}edit/{scheme.pk}/", {"name": "改名"})
    scheme.refresh_from_db()
    assert scheme.name == "小微企业信贷风险补偿"


def test_the_loan_page_offers_the_claim_and_a_double_submit_makes_one(client, officer_a, defaulted):
    client.force_login(officer_a)
    page = client.get(f"/cms-admin/loans/{defaulted.pk}/").content.decode()
    assert 'id="loan-compensation"' in page and 'id="claim-apply"' in page
    url = f"/cms-admin/compensation/loans/{defaulted.pk}/claim/"
    assert 'value="30"' in client.get(url).content.decode()  # the outstanding balance, in 万元
    first = client.post(url, {"loss_amount": "30", "note": "已起诉"})
    second = client.post(url, {"loss_amount": "30", "note": "已起诉"})
    claim = CompensationClaim.objects.get()
    assert claim.loss_amount == Decimal("300000") and claim.claimed_amount == Decimal("150000.00")
    assert first["Location"] == second["Location"] == f"{CLAIMS}{claim.pk}/"


def test_a_loss_above_the_balance_is_refused_beside_the_field(client, officer_a, defaulted):
    client.force_login(officer_a)
    response = client.post(f"/cms-admin/compensation/loans/{defaulted.pk}/claim/", {"loss_amount": "31"})
    assert response.status_code == 400 and "损失金额不能超过贷款余额 30 万元" in response.content.decode()
    assert not CompensationClaim.objects.exists()


def test_another_bank_cannot_claim_or_see_the_claim(client, officer_a, manager_b, defaulted):
    claim = claim_file(officer=officer_a, loan=defaulted, loss_amount=Decimal("300000"))
    client.force_login(manager_b)
    assert client.get(f"/cms-admin/compensation/loans/{defaulted.pk}/claim/").status_code == 404
    assert client.post(f"/cms-admin/compensation/loans/{defaulted.pk}/claim/", {"loss_amount": "1"}).status_code == 404
    assert client.get(f"{CLAIMS}{claim.pk}/").status_code == 404
    listing = client.get(CLAIMS).content.decode()
    assert f"{CLAIMS}{claim.pk}/" not in listing and defaulted.enterprise.name not in listing
    assert CompensationClaim.objects.count() == 1


def test_the_administrator_rejects_only_with_a_reason_then_the_bank_sees_it(
    client, officer_a, platform_admin, defaulted
):
    claim = claim_file(officer=officer_a, loan=defaulted, loss_amount=Decimal("300000"))
    client.force_login(platform_admin)
    assert "提交审核结论" in client.get(f"{CLAIMS}{claim.pk}/").content.decode()
    response = client.post(f"{CLAIMS}{claim.pk}/decide/", {"decision": "reject", "reason": ""})
    assert response.status_code == 400 and "驳回时必须填写理由" in response.content.decode()
    client.post(f"{CLAIMS}{claim.pk}/decide/", {"decision": "reject", "reason": "未提供诉讼材料"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    client.force_login(officer_a)
    page = client.get(f"{CLAIMS}{claim.pk}/").content.decode()
    assert "未提供诉讼材料" in page and "提交审核结论" not in page
    response = client.post(f"{CLAIMS}{claim.pk}/decide/", {"decision": "approve", "paid_amount": "15"})
    assert response.status_code in (302, 403) and not response.get("Location", "").startswith(CLAIMS)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED and claim.paid_amount is None


def test_approval_shows_in_the_report_with_the_balance(client, officer_a, platform_admin, defaulted):
    claim = claim_file(officer=officer_a, loan=defaulted, loss_amount=Decimal("300000"))
    client.force_login(platform_admin)
    client.post(f"{CLAIMS}{claim.pk}/decide/", {"decision": "approve", "paid_amount": "12", "reason": ""})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claim.paid_amount == Decimal("120000")
    page = client.get(REPORT).content.decode()
    assert 'id="scheme-report"' in page and "小微企业信贷风险补偿" in page
    # budget 200 万元, paid 12 → balance 188; nothing pending or exposed → available 188
    assert page.count(">188<") == 2 and "comp-paid" in page
