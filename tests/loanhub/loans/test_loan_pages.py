"""The bank's loan pages in the back office and the SME's 我的贷款, with the test client:
who may see which loan, filters, the report form, and the read being logged."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from loanhub.accounts.models import Role
from loanhub.consent.models import AccessLog, Purpose
from loanhub.institutions.services import institution_add_staff
from loanhub.loans.models import LoanStatus, PerformanceReport, ReportChannel
from loanhub.loans.services import performance_report
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory
from tests.factories.loans import loan_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def officer_b(bank_b_page):
    user = UserFactory(username="officer_b", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_b_page.institution, user=user)
    return user


@pytest.fixture
def loan(bank_a_page, officer_a):
    return loan_create(bank_a_page, officer_a, amount=400_000, disbursed_on=TODAY - timedelta(days=120))


def owner_of(loan):
    return loan.enterprise.memberships.first().user


def page(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, response.status_code
    return response.content.decode() if status == 200 else ""


def schedule_rows(html: str) -> int:
    """Rows of the repayment schedule (the last table of the page, after its heading), header excluded."""
    return html.split('id="schedule"')[1].count("<tr") - 1


# ------------------------------------------------------------------ bank list


def test_the_bank_sees_its_loans_in_wan_with_chinese_statuses(client, officer_a, loan):
    performance_report(loan=loan, as_of=TODAY - timedelta(days=3), status=LoanStatus.DPD_1_30, days_past_due=9,
                       outstanding=Decimal("350000"), channel=ReportChannel.WORKBENCH, user=officer_a)  # fmt: skip
    html = page(client, officer_a, reverse("loans_admin:index"))
    assert loan.enterprise.name in html and "逾期1–30天" in html and "逾期 9 天" in html
    assert ">40<" in html and ">35<" in html  # amount and balance in 万元
    assert "dpd_1_30" not in html.split("loan-table")[1]  # no raw codes in the table


def test_another_banks_officer_sees_neither_the_loan_in_the_list_nor_its_page(client, officer_b, loan):
    html = page(client, officer_b, reverse("loans_admin:index"))
    assert loan.enterprise.name not in html and "本机构还没有贷款" in html
    page(client, officer_b, reverse("loans_admin:detail", args=[loan.pk]), status=404)
    form = {"as_of": TODAY.isoformat(), "status": "current", "outstanding": "30", "days_past_due": "0"}
    assert client.post(reverse("loans_admin:report", args=[loan.pk]), form).status_code == 404
    assert not PerformanceReport.objects.exists()


def test_an_sme_user_cannot_open_the_bank_workbench(client, loan):
    client.force_login(owner_of(loan))
    assert client.get(reverse("loans_admin:detail", args=[loan.pk])).status_code in (302, 403)


def test_filters_search_and_an_empty_result(client, officer_a, bank_a_page, loan):
    other = loan_create(bank_a_page, officer_a, amount=200_000, disbursed_on=TODAY - timedelta(days=30))
    performance_report(loan=other, as_of=TODAY, status=LoanStatus.DPD_31_90, days_past_due=40,
                       outstanding=Decimal("200000"), channel=ReportChannel.WORKBENCH, user=officer_a)  # fmt: skip
    url = reverse("loans_admin:index")
    overdue = page(client, officer_a, url + "?overdue=1")
    assert f"#{other.pk}<" in overdue and f"#{loan.pk}<" not in overdue
    by_name = page(client, officer_a, url + "?q=" + loan.enterprise.name[:4])
    assert f"#{loan.pk}<" in by_name
    by_uscc = page(client, officer_a, url + "?q=" + other.enterprise.uscc)
    assert f"#{other.pk}<" in by_uscc and f"#{loan.pk}<" not in by_uscc
    assert "没有符合条件的贷款" in page(client, officer_a, url + "?status=written_off")
    assert "已忽略无效的筛选条件" in page(client, officer_a, url + "?maturing=abc")


def test_maturing_within_n_days(client, officer_a, bank_a_page):
    soon = loan_create(bank_a_page, officer_a, disbursed_on=TODAY - timedelta(days=350))  # 12 months: ~15 days left
    later = loan_create(bank_a_page, officer_a, disbursed_on=TODAY - timedelta(days=10))
    html = page(client, officer_a, reverse("loans_admin:index") + "?maturing=30")
    assert f"#{soon.pk}<" in html and f"#{later.pk}<" not in html


def test_the_list_pages(client, officer_a, bank_a_page, monkeypatch):
    from loanhub.loans import admin_views

    monkeypatch.setattr(admin_views, "PAGE_SIZE", 1)
    first = loan_create(bank_a_page, officer_a, disbursed_on=TODAY - timedelta(days=5))
    second = loan_create(bank_a_page, officer_a, disbursed_on=TODAY - timedelta(days=50))
    html = page(client, officer_a, reverse("loans_admin:index") + "?page=2")
    assert f"#{second.pk}<" in html and f"#{first.pk}<" not in html and "第 2 / 2 页" in html


# ------------------------------------------------------------------ bank loan page


def test_the_loan_page_shows_terms_schedule_history_and_the_source_lead(client, officer_a, loan):
    performance_report(loan=loan, as_of=TODAY - timedelta(days=20), status=LoanStatus.CURRENT, days_past_due=0,
                       outstanding=Decimal("380000"), note="按期还款", channel=ReportChannel.WORKBENCH,
                       user=officer_a)  # fmt: skip
    html = page(client, officer_a, reverse("loans_admin:detail", args=[loan.pk]))
    assert "等额本息" in html and "3.90%" in html and "按期还款" in html and "38" in html
    assert reverse("leads_admin:detail", args=[loan.lead_id]) in html
    assert schedule_rows(html) == 12  # the schedule's twelve instalments
    assert 'name="outstanding"' in html and "construct_loan_page_panels" not in html


def test_reading_a_loan_page_is_logged_for_the_enterprise(client, officer_a, loan):
    page(client, officer_a, reverse("loans_admin:detail", args=[loan.pk]))
    entry = AccessLog.objects.get(enterprise=loan.enterprise, detail=f"贷款详情：贷款 #{loan.pk}")
    assert entry.user == officer_a and entry.purpose == Purpose.MONITORING
    assert entry.institution_id == loan.institution_id


def test_reporting_from_the_loan_page_in_wan_then_again_changes_nothing(client, officer_a, loan):
    client.force_login(officer_a)
    form = {"as_of": (TODAY - timedelta(days=1)).isoformat(), "status": "dpd_1_30", "outstanding": "35.5",
            "days_past_due": "7", "note": "客户资金周转"}  # fmt: skip
    response = client.post(reverse("loans_admin:report", args=[loan.pk]), form, follow=True)
    assert "已记录" in response.content.decode()
    stored = PerformanceReport.objects.get()
    assert stored.outstanding == Decimal("355000") and stored.channel == ReportChannel.WORKBENCH
    again = client.post(reverse("loans_admin:report", args=[loan.pk]), form, follow=True).content.decode()
    assert "已有相同的报告，未作更改" in again and PerformanceReport.objects.get().corrections == 0


def test_a_refused_report_shows_the_reasons_beside_the_fields(client, officer_a, loan):
    client.force_login(officer_a)
    form = {"as_of": TODAY.isoformat(), "status": "current", "outstanding": "50", "days_past_due": "3"}
    response = client.post(reverse("loans_admin:report", args=[loan.pk]), form)
    html = response.content.decode()
    assert response.status_code == 400 and "不能超过贷款金额 40 万元" in html and "逾期天数应为 0" in html
    assert 'value="50"' in html and not PerformanceReport.objects.exists()


# ------------------------------------------------------------------ SME portal


def test_the_sme_sees_its_loans_and_their_status(client, officer_a, loan):
    performance_report(loan=loan, as_of=TODAY - timedelta(days=2), status=LoanStatus.DPD_1_30, days_past_due=3,
                       outstanding=Decimal("300000"), note="内部说明", channel=ReportChannel.WORKBENCH,
                       user=officer_a)  # fmt: skip
    owner = owner_of(loan)
    listing = page(client, owner, reverse("loans:index", args=[loan.enterprise.uscc]))
    assert "甲银行" in listing and "逾期1–30天" in listing and "40 万元" in listing
    assert reverse("loans:index", args=[loan.enterprise.uscc]) in listing  # the nav link
    html = page(client, owner, reverse("loans:detail", args=[loan.enterprise.uscc, loan.pk]))
    assert "逾期1–30天" in html and "等额本息" in html and schedule_rows(html) == 12
    assert "内部说明" not in html  # the SME sees the status, not the bank's notes


def test_an_sme_of_another_enterprise_gets_404(client, loan):
    stranger = MembershipFactory(user=UserFactory(username="stranger")).user
    page(client, stranger, reverse("loans:index", args=[loan.enterprise.uscc]), status=404)
    page(client, stranger, reverse("loans:detail", args=[loan.enterprise.uscc, loan.pk]), status=404)
    own = stranger.enterprises.get().uscc
    page(client, stranger, reverse("loans:detail", args=[own, loan.pk]), status=404)  # not its loan


def test_an_sme_without_loans_sees_an_empty_state(client, portal):
    owner = MembershipFactory(user=UserFactory(username="no_loans")).user
    html = page(client, owner, reverse("loans:index", args=[owner.enterprises.get().uscc]))
    assert "还没有贷款" in html
