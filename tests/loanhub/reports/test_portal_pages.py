"""The SME's reports page: who may issue, download, revoke; unverified enterprises."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from loanhub.enterprises.exceptions import EnterpriseNotVerified
from loanhub.reports.exceptions import ReportFontMissing, ReportNotAllowed
from loanhub.reports.models import CreditReport
from loanhub.reports.services import report_issue
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory, PendingEnterpriseFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_issues_downloads_and_revokes_a_report(owner_enterprise):
    owner, enterprise = owner_enterprise
    client = _client(owner)
    index = reverse("reports:index", args=[enterprise.uscc])
    assert "生成报告" in client.get(index).content.decode()
    response = client.post(
        reverse("reports:new", args=[enterprise.uscc]),
        {"purpose": "tender", "period_start": "2024-01-01", "period_end": "2025-12-31"},
    )
    assert response.status_code == 302
    report = CreditReport.objects.get(enterprise=enterprise)
    assert report.purpose == "tender" and str(report.period_start) == "2024-01-01" and not report.include_score
    page = client.get(index).content.decode()
    assert report.number in page and reverse("reports_public:verify", args=[report.number]) in page
    pdf = client.get(reverse("reports:pdf", args=[enterprise.uscc, report.number]))
    assert pdf["Content-Type"] == "application/pdf" and "no-store" in pdf["Cache-Control"]
    assert hashlib.sha256(pdf.content).hexdigest() == report.sha256
    client.post(reverse("reports:revoke", args=[enterprise.uscc, report.number]))
    assert CreditReport.objects.get(pk=report.pk).status == "revoked"


def test_bad_periods_are_refused_with_the_reason(owner_enterprise):
    owner, enterprise = owner_enterprise
    response = _client(owner).post(
        reverse("reports:new", args=[enterprise.uscc]),
        {"purpose": "financing", "period_start": "2015-01-01", "period_end": "2025-12-31"},
    )
    assert response.status_code == 400
    assert "报告期最长5年" in response.content.decode()
    response = _client(owner).post(
        reverse("reports:new", args=[enterprise.uscc]),
        {"purpose": "financing", "period_start": "0001-01-01", "period_end": "9999-12-31"},
    )
    assert response.status_code == 400
    assert not CreditReport.objects.exists()


def test_a_member_downloads_but_only_the_owner_issues_or_revokes(owner_enterprise, member):
    owner, enterprise = owner_enterprise
    report = report_issue(enterprise=enterprise, user=owner, purpose="financing")
    client = _client(member)
    assert "只有企业管理员可以生成" in client.get(reverse("reports:index", args=[enterprise.uscc])).content.decode()
    response = client.post(reverse("reports:new", args=[enterprise.uscc]), {"purpose": "financing"})
    assert response.status_code in (400, 403) and CreditReport.objects.count() == 1
    with pytest.raises(ReportNotAllowed):
        report_issue(enterprise=enterprise, user=member, purpose="financing")
    assert client.get(reverse("reports:pdf", args=[enterprise.uscc, report.number])).status_code == 200
    assert client.post(reverse("reports:revoke", args=[enterprise.uscc, report.number])).status_code == 403
    assert CreditReport.objects.get(pk=report.pk).status == "valid"


def test_non_members_get_404(owner_enterprise):
    owner, enterprise = owner_enterprise
    report = report_issue(enterprise=enterprise, user=owner, purpose="financing")
    stranger = MembershipFactory(user=UserFactory()).user
    client = _client(stranger)
    for url in (
        reverse("reports:index", args=[enterprise.uscc]),
        reverse("reports:pdf", args=[enterprise.uscc, report.number]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("reports:revoke", args=[enterprise.uscc, report.number])).status_code == 404
    other = stranger.enterprises.get()  # the stranger's own enterprise cannot reach it either
    assert client.get(reverse("reports:pdf", args=[other.uscc, report.number])).status_code == 404


def test_an_unverified_enterprise_cannot_issue(db):
    membership = MembershipFactory(user=UserFactory(), enterprise=PendingEnterpriseFactory())
    enterprise = membership.enterprise
    assert _client(membership.user).get(reverse("reports:index", args=[enterprise.uscc])).status_code == 403
    with pytest.raises(EnterpriseNotVerified):
        report_issue(enterprise=enterprise, user=membership.user, purpose="financing")
    assert not CreditReport.objects.exists()


def test_without_a_cjk_font_generation_says_so_in_chinese(owner_enterprise, settings):
    settings.LOANHUB_REPORT_FONT = "/nonexistent/font.ttc"
    owner, enterprise = owner_enterprise
    client = _client(owner)
    page = client.get(reverse("reports:index", args=[enterprise.uscc])).content.decode()
    assert "服务器未安装可嵌入的中文字体" in page and "disabled" in page
    response = client.post(reverse("reports:new", args=[enterprise.uscc]), {"purpose": "financing"}, follow=True)
    assert "服务器未安装可嵌入的中文字体" in response.content.decode()
    with pytest.raises(ReportFontMissing):
        report_issue(enterprise=enterprise, user=owner, purpose="financing")
    assert not CreditReport.objects.exists()


def test_a_cff_font_is_refused_rather_than_embedded(owner_enterprise, settings, tmp_path):
    fake = tmp_path / "cff.otf"
    fake.write_bytes(b"OTTO" + b"\0" * 64)  # a CFF-flavoured OpenType header
    settings.LOANHUB_REPORT_FONT = str(fake)
    owner, enterprise = owner_enterprise
    with pytest.raises(ReportFontMissing):
        report_issue(enterprise=enterprise, user=owner, purpose="financing")
