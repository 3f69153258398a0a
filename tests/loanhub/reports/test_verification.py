"""The public verification page: genuine, tampered, unknown and revoked reports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from loanhub.reports.services import report_issue, report_revoke
from loanhub.reports.throttling import ReportVerifyThrottle

from .conftest import pdf_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(owner_enterprise):
    owner, enterprise = owner_enterprise
    return report_issue(enterprise=enterprise, user=owner, purpose="policy")


def _url(report) -> str:
    return reverse("reports_public:verify", args=[report.number])


def _upload(report, data: bytes, name: str = "report.pdf"):
    return Client().post(_url(report), {"file": SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_anyone_sees_the_issuer_enterprise_period_purpose_status_and_digest(report):
    response = Client().get(_url(report))
    page = response.content.decode()
    assert response.status_code == 200
    assert "LoanHub 信易贷平台" in page
    assert report.enterprise_name in page and report.enterprise_uscc in page
    assert f"{report.period_start:%Y-%m-%d} — {report.period_end:%Y-%m-%d}" in page
    assert "申请政策扶持" in page and "有效" in page
    assert report.sha256 in page


def test_the_genuine_file_matches_the_archive(report):
    page = _upload(report, pdf_of(report)).content.decode()
    assert "与平台存档一致" in page
    assert "内容不一致" not in page


def test_a_tampered_copy_is_called_out(report):
    data = bytearray(pdf_of(report))
    index = data.index(b"/Title")
    data[index + 8] ^= 0x01  # one changed byte
    response = _upload(report, bytes(data))
    assert response.status_code == 200
    assert "内容不一致，可能被篡改" in response.content.decode()
    assert "与平台存档一致" not in response.content.decode()


def test_an_unknown_number_says_so(db):
    for number in ("LHR-2026-ABCDEFGHJKMN", "not-a-number", "LHR-2026-%00"):
        response = Client().get(f"/verify/{number}/")
        assert response.status_code == 404
        assert "未找到该报告" in response.content.decode()
        assert "不是由 LoanHub 信易贷平台出具的" in response.content.decode()


def test_a_revoked_report_is_shown_as_revoked(report, owner_enterprise):
    owner, _enterprise = owner_enterprise
    report_revoke(report=report, user=owner)
    page = Client().get(_url(report)).content.decode()
    assert "已撤回" in page and "不应再作为证明使用" in page
    assert "verify-valid" not in page


def test_uploads_are_bounded(report, settings):
    settings.LOANHUB_REPORT_VERIFY_MAX_BYTES = 1024
    response = _upload(report, pdf_of(report))
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert "与平台存档一致" not in response.content.decode()


def test_uploads_are_rate_limited_per_address(report, monkeypatch):
    monkeypatch.setattr(ReportVerifyThrottle, "THROTTLE_RATES", {"report_verify": "2/min"})
    data = pdf_of(report)
    assert [_upload(report, data).status_code for _ in range(3)] == [200, 200, 429]


def test_the_lookup_form_leads_to_the_report(report):
    response = Client().get("/verify/", {"number": report.number.lower()})
    assert response.status_code == 302 and response["Location"] == _url(report)
    assert Client().get("/verify/", {"number": "nonsense"}).status_code == 400
    assert Client().get("/verify/").status_code == 200
