"""Outcome statistics (issue 15): NPL ratio, 90+ rate, the plans' shares and calibration by grade,
computed from a small book whose figures are worked out by hand; who sees which book; the export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.accounts.models import Role
from loanhub.enterprises.models import Enterprise
from loanhub.loans.models import Loan, LoanStatus, PerformanceReport, ReportChannel
from loanhub.matching.models import Lead
from loanhub.stats.outcomes import calibration_by_grade, outcome_breakdown, outcome_headline
from tests.factories.accounts import UserFactory
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OLD = TODAY - timedelta(days=400)  # outcome known (12 months on the books)
RECENT = TODAY - timedelta(days=30)


def _set(loan: Loan, *, status: str, outstanding: int, grade: str, pd: float, **fields: object) -> Loan:
    """The loan's latest report (through the models) and the lead's grade and PD at decision."""
    dpd = {LoanStatus.DPD_90_PLUS: 120, LoanStatus.DEFAULTED: 200}.get(status, 0)
    PerformanceReport.objects.create(
        loan=loan, as_of=TODAY - timedelta(days=5), status=status, outstanding=outstanding, days_past_due=dpd,
        channel=ReportChannel.WORKBENCH,
    )  # fmt: skip
    Loan.objects.filter(pk=loan.pk).update(status=status, outstanding=outstanding, days_past_due=dpd, **fields)
    Lead.objects.filter(pk=loan.lead_id).update(grade=grade, pd=pd)
    loan.refresh_from_db()
    return loan


@pytest.fixture
def book(bank_a_page, bank_b_page, officer_a, django_user_model):
    """Bank A: an NPL loan, a current first loan, a repaid loan that was once 95 days late and
    a renewal of it; bank B: a defaulted loan. Outstanding 300k + 500k + 0 + 500k + 500k."""
    officer_b = UserFactory(username="officer_b", role=Role.BANK_OFFICER)
    from loanhub.institutions.services import institution_add_staff

    institution_add_staff(institution=bank_b_page.institution, user=officer_b)
    l1 = loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=OLD, title="甲经营贷", tags=["绿色金融"])
    l2 = loan_create(bank_a_page, officer_a, amount=500_000, disbursed_on=OLD, title="甲首贷")
    l3 = loan_create(bank_a_page, officer_a, amount=200_000, disbursed_on=OLD, title="甲信用贷")
    l4 = loan_create(bank_a_page, officer_a, amount=500_000, disbursed_on=RECENT, title="甲续贷")
    l5 = loan_create(bank_b_page, officer_b, amount=500_000, disbursed_on=OLD, title="乙经营贷")
    _set(l1, status=LoanStatus.DPD_90_PLUS, outstanding=300_000, grade="C", pd=0.10, is_first_loan=False)
    _set(l2, status=LoanStatus.CURRENT, outstanding=500_000, grade="A", pd=0.02, is_first_loan=True)
    PerformanceReport.objects.create(
        loan=l3, as_of=OLD + timedelta(days=150), status=LoanStatus.DPD_90_PLUS, outstanding=150_000,
        days_past_due=95, channel=ReportChannel.WORKBENCH,
    )  # fmt: skip
    _set(l3, status=LoanStatus.REPAID, outstanding=0, grade="C", pd=0.20, is_first_loan=True, is_credit=True)
    _set(
        l4,
        status=LoanStatus.CURRENT,
        outstanding=500_000,
        grade="A",
        pd=0.04,
        renewal_of=l3,
        is_credit=False,
        is_first_loan=False,
    )
    _set(l5, status=LoanStatus.DEFAULTED, outstanding=500_000, grade="B", pd=0.05, is_first_loan=False)
    Enterprise.objects.filter(pk__in=[l1.enterprise_id, l2.enterprise_id]).update(region="440104")
    Enterprise.objects.filter(pk__in=[l3.enterprise_id, l4.enterprise_id, l5.enterprise_id]).update(region="440305")
    return {"l1": l1, "l2": l2, "l3": l3, "l4": l4, "l5": l5, "officer_b": officer_b}


def test_npl_ratio_and_90_plus_rate_of_the_whole_book(book):
    head = outcome_headline()
    assert head.loans == 5
    assert head.outstanding == 1_800_000
    assert head.npl_outstanding == 800_000  # the 90+ loan and the defaulted one
    assert head.npl_ratio == pytest.approx(800_000 / 1_800_000)
    assert head.rate_90 == pytest.approx(3 / 5)  # the repaid loan was once 95 days late
    assert head.first_share == pytest.approx(2 / 5)
    assert head.renewal_share == pytest.approx(1 / 5)
    credit = Loan.objects.filter(is_credit=True).count()
    assert head.credit_share == pytest.approx(credit / 5)


def test_a_bank_sees_only_its_own_book(book, bank_a_page):
    head = outcome_headline(institution=bank_a_page.institution)
    assert (head.loans, head.outstanding, head.npl_outstanding) == (4, 1_300_000, 300_000)
    assert head.npl_ratio == pytest.approx(300_000 / 1_300_000)
    assert head.rate_90 == pytest.approx(2 / 4)


def test_breakdowns_by_bank_grade_region_zone_and_vintage(book, bank_a_page, bank_b_page):
    by_bank = {r.label: r for r in outcome_breakdown("bank")}
    assert by_bank[bank_a_page.institution.short_name].npl_ratio == pytest.approx(300_000 / 1_300_000)
    assert by_bank[bank_b_page.institution.short_name].npl_ratio == pytest.approx(1.0)
    by_grade = {r.key: r for r in outcome_breakdown("grade")}
    assert by_grade["C"].npl_ratio == pytest.approx(1.0)  # 300k NPL of 300k (the repaid one owes nothing)
    assert by_grade["C"].rate_90 == pytest.approx(1.0)
    assert by_grade["A"].npl_ratio == pytest.approx(0.0) and by_grade["A"].loans == 2
    by_region = {r.key: r for r in outcome_breakdown("region")}
    assert set(by_region) == {"440100", "440300"}
    assert "广州" in by_region["440100"].label and "深圳" in by_region["440300"].label
    assert by_region["440100"].npl_ratio == pytest.approx(300_000 / 800_000)
    assert [r.label for r in outcome_breakdown("zone")] == ["绿色金融"]
    vintages = {r.key: (r.label, r.loans) for r in outcome_breakdown("vintage")}
    old, recent = (f"{d.year}Q{(d.month - 1) // 3 + 1}" for d in (OLD, RECENT))
    assert vintages == {
        old: (f"{OLD.year}年第{(OLD.month - 1) // 3 + 1}季度", 4),
        recent: (f"{RECENT.year}年第{(RECENT.month - 1) // 3 + 1}季度", 1),
    }
    with pytest.raises(ValueError):
        outcome_breakdown("enterprise")


def test_calibration_compares_default_rate_with_mean_pd_by_grade(book):
    rows = {r.grade: r for r in calibration_by_grade()}
    # The renewal (grade A, disbursed this year, current) has no outcome yet.
    assert (rows["A"].loans, rows["A"].bad) == (1, 0)
    assert rows["A"].mean_pd == pytest.approx(0.02)
    assert (rows["B"].loans, rows["B"].bad, rows["B"].default_rate) == (1, 1, 1.0)
    assert (rows["C"].loans, rows["C"].bad) == (2, 2)
    assert rows["C"].mean_pd == pytest.approx(0.15)


def test_an_implausible_amount_is_left_out_of_the_sums_and_counted(book):
    # A unit slip: approved 150 元 on a product of at least 10万.
    Lead.objects.filter(pk=book["l2"].lead_id).update(approved_amount=Decimal("150"))
    head = outcome_headline()
    assert head.flagged == 1
    assert head.outstanding == 1_300_000 and head.amount == 400_000 + 200_000 + 500_000 + 500_000


@pytest.fixture
def admin_client(client, portal):
    client.force_login(UserFactory(username="stats_admin", role=Role.PLATFORM_ADMIN, is_superuser=True))
    return client


def test_the_page_shows_the_figures_to_an_administrator(admin_client, book, bank_b_page):
    body = admin_client.get(reverse("stats_admin:outcomes"), {"by": "bank"}).content.decode()
    assert "不良率" in body and "44.4%" in body  # 800k of 1,800k
    assert bank_b_page.institution.short_name in body
    assert book["l1"].enterprise.name not in body  # no per-enterprise data
    assert "模型校准" in body


def test_a_bank_officer_sees_its_own_book_and_no_bank_breakdown(client, book, officer_a, bank_b_page):
    client.force_login(officer_a)
    response = client.get(reverse("stats_admin:outcomes"), {"by": "bank"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "23.1%" in body  # 300k of 1,300k
    assert bank_b_page.institution.short_name not in body
    assert "?by=bank" not in body
    exported = client.get(reverse("stats_admin:outcomes_export"), {"by": "bank"}).content.decode("utf-8-sig")
    assert exported.splitlines()[0].startswith("放款季度")  # falls back to the vintage, own book only
    assert sum(int(row[1]) for row in list(csv.reader(io.StringIO(exported)))[1:]) == 4


def test_an_sme_user_may_not_see_outcomes(client, book):
    client.force_login(UserFactory(username="sme_user", role=Role.SME))
    assert client.get(reverse("stats_admin:outcomes")).status_code in (302, 403)
    assert client.get(reverse("stats_admin:outcomes_export")).status_code in (302, 403)


def test_the_export_neutralizes_a_formula_in_a_product_title(admin_client, book):
    from cms.models import FinancingProductPage

    FinancingProductPage.objects.filter(pk=book["l1"].product_id).update(title='=HYPERLINK("http://evil","贷")')
    response = admin_client.get(reverse("stats_admin:outcomes_export"), {"by": "product"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0][:2] == ["金融产品", "放款笔数"]
    assert '\'=HYPERLINK("http://evil","贷")' in [row[0] for row in rows]
    npl = {row[0]: row[5] for row in rows[1:]}
    assert npl["乙经营贷"] == "100.00"


def test_no_loans_shows_an_empty_state(admin_client):
    body = admin_client.get(reverse("stats_admin:outcomes")).content.decode()
    assert "暂无贷款数据" in body


def _renewal(bank_page, officer, *, decline: bool):
    """A renewal request on a fresh loan of ``bank_page``'s bank maturing in 30 days; declined if asked."""
    from loanhub.loans.renewals import renewal_request
    from loanhub.matching.lifecycle import lead_claim, lead_decline

    loan = loan_create(bank_page, officer, amount=400_000, disbursed_on=TODAY - timedelta(days=30), title="续贷统计")
    Loan.objects.filter(pk=loan.pk).update(maturity_date=TODAY + timedelta(days=30))
    loan.refresh_from_db()
    sme = loan.enterprise.memberships.select_related("user").first().user
    request = renewal_request(user=sme, loan=loan, kind="standard", amount=Decimal("400000"), term_months=12)
    if decline:
        lead = lead_claim(lead=request.lead, officer=officer)
        lead_decline(lead=lead, officer=officer, reasons=["credit"])
    return request


def test_renewal_requests_are_counted_per_bank_and_a_bank_sees_its_own(admin_client, client, book, officer_a,
                                                                        bank_a_page, bank_b_page):  # fmt: skip
    _renewal(bank_a_page, officer_a, decline=True)
    _renewal(bank_a_page, officer_a, decline=False)
    _renewal(bank_b_page, book["officer_b"], decline=False)
    body = admin_client.get(reverse("stats_admin:outcomes")).content.decode()
    section = body[body.index('id="renewals"') :]
    rows = re.findall(r"<tr>\s*<td data-label=\"\">([^<]+)</td>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>"
                      r"\s*<td[^>]*>(\d+)</td>", section)  # fmt: skip
    assert rows == [
        (bank_a_page.institution.short_name, "2", "0", "1"),
        (bank_b_page.institution.short_name, "1", "0", "0"),
    ]
    client.force_login(officer_a)
    own = client.get(reverse("stats_admin:outcomes")).content.decode()
    own = own[own.index('id="renewals"') :]
    assert bank_a_page.institution.short_name in own and bank_b_page.institution.short_name not in own
