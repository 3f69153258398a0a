"""A bank asks for the report from its lead page; the SME approves or declines; the
bank downloads only while its authorization is live, and every download is logged."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from loanhub.accounts.models import Notification
from loanhub.consent.models import AccessLog
from loanhub.consent.services import authorization_revoke
from loanhub.reports.models import ReportRequest
from loanhub.reports.services import report_issue, report_revoke
from tests.factories.accounts import UserFactory
from tests.factories.cms import product_create
from tests.loanhub.matching.helpers import lead_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(bank_a_page):
    return lead_for(product_create(bank_a_page, title="甲信用贷"))


@pytest.fixture
def owner(lead):
    return lead.enterprise.memberships.get().user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(officer, lead) -> object:
    return _client(officer).post(reverse("reports_admin:lead_request", args=[lead.pk]))


def _approve(owner, report_request, report="new"):
    uscc = report_request.enterprise.uscc
    return _client(owner).post(reverse("reports:request_approve", args=[uscc, report_request.pk]), {"report": report})


def _download(officer, report_request):
    return _client(officer).get(reverse("reports_admin:request_pdf", args=[report_request.pk]))


def _report_reads(enterprise) -> list[AccessLog]:
    return list(AccessLog.objects.filter(enterprise=enterprise, detail__startswith="信用报告"))


def test_the_lead_page_offers_the_request_and_the_sme_is_asked(lead, officer_a, owner):
    page = _client(officer_a).get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert "申请查看企业信用报告" in page
    assert _ask(officer_a, lead).status_code == 302
    request = ReportRequest.objects.get(lead=lead)
    assert request.status == "pending" and request.institution == lead.institution
    assert Notification.objects.filter(user=owner, title__contains="申请查看企业信用报告").exists()
    page = _client(officer_a).get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert "待企业确认" in page and "申请查看企业信用报告</button>" not in page
    reports_page = _client(owner).get(reverse("reports:index", args=[lead.enterprise.uscc])).content.decode()
    assert lead.institution.name in reports_page and "同意" in reports_page
    _ask(officer_a, lead)  # asking again while one is pending adds nothing
    assert ReportRequest.objects.filter(lead=lead).count() == 1


def test_approved_report_downloads_are_logged_while_authorized(lead, officer_a, owner):
    _ask(officer_a, lead)
    report_request = ReportRequest.objects.get(lead=lead)
    _approve(owner, report_request)
    report_request.refresh_from_db()
    assert report_request.status == "approved" and report_request.report is not None
    assert Notification.objects.filter(user=officer_a, title__contains="同意了信用报告查看申请").exists()
    page = _client(officer_a).get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert "下载信用报告" in page and report_request.report.number in page
    response = _download(officer_a, report_request)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    (read,) = _report_reads(lead.enterprise)
    assert read.user == officer_a and read.institution == lead.institution
    assert read.channel == "back_office" and read.detail == f"信用报告 {report_request.report.number}"
    _download(officer_a, report_request)
    assert len(_report_reads(lead.enterprise)) == 2


def test_no_download_after_the_authorization_is_revoked(lead, officer_a, owner):
    _ask(officer_a, lead)
    report_request = ReportRequest.objects.get(lead=lead)
    _approve(owner, report_request)
    for artefact in lead.enterprise.authorizations.all():
        authorization_revoke(authorization=artefact, user=owner)
    response = _download(officer_a, ReportRequest.objects.get(pk=report_request.pk))
    assert response.status_code == 302 and response["Location"].endswith(f"/leads/{lead.pk}/")
    assert _report_reads(lead.enterprise) == []


def test_a_bank_without_a_live_authorization_cannot_ask(lead, officer_a, owner):
    for artefact in lead.enterprise.authorizations.all():
        authorization_revoke(authorization=artefact, user=owner)
    page = _client(officer_a).get(reverse("leads_admin:detail", args=[lead.pk])).content.decode()
    assert "申请查看企业信用报告</button>" not in page
    _ask(officer_a, lead)
    assert not ReportRequest.objects.exists()


def test_a_declined_or_revoked_report_is_not_downloadable(lead, officer_a, owner):
    _ask(officer_a, lead)
    report_request = ReportRequest.objects.get(lead=lead)
    _client(owner).post(reverse("reports:request_decline", args=[lead.enterprise.uscc, report_request.pk]))
    report_request.refresh_from_db()
    assert report_request.status == "declined"
    assert Notification.objects.filter(user=officer_a, title__contains="拒绝了信用报告查看申请").exists()
    assert _download(officer_a, report_request).status_code == 302
    _ask(officer_a, lead)
    again = ReportRequest.objects.get(lead=lead, status="pending")
    report = report_issue(enterprise=lead.enterprise, user=owner, purpose="financing")
    _approve(owner, again, report=report.number)
    assert ReportRequest.objects.get(pk=again.pk).report == report
    report_revoke(report=report, user=owner)
    assert _download(officer_a, again).status_code == 302
    assert _report_reads(lead.enterprise) == []


def test_other_banks_and_other_enterprises_see_nothing(lead, officer_a, owner, bank_b_page):
    from loanhub.accounts.models import Role
    from loanhub.institutions.services import institution_add_staff

    officer_b = UserFactory(username="officer_b", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_b_page.institution, user=officer_b)
    assert _ask(officer_b, lead).status_code == 404
    _ask(officer_a, lead)
    report_request = ReportRequest.objects.get(lead=lead)
    _approve(owner, report_request)
    assert _download(officer_b, report_request).status_code == 404
    stranger = UserFactory()
    from tests.factories.enterprises import MembershipFactory

    other = MembershipFactory(user=stranger).enterprise
    url = reverse("reports:request_approve", args=[other.uscc, report_request.pk])
    assert _client(stranger).post(url, {"report": "new"}).status_code == 404
    assert _report_reads(lead.enterprise) == []
