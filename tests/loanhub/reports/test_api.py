"""API: reports/ (create, list), reports/{number}/ (fetch, pdf, revoke) and the public
verification endpoint."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from loanhub.accounts.models import Role
from loanhub.institutions.services import institution_add_staff
from loanhub.reports.throttling import ReportVerifyThrottle
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory
from tests.factories.institutions import InstitutionFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/reports/"


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _error(response) -> dict:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


@pytest.fixture
def created(owner_enterprise):
    owner, enterprise = owner_enterprise
    response = _client(owner).post(API, {"enterprise": enterprise.uscc, "purpose": "listing"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_list_and_fetch(created, owner_enterprise):
    owner, enterprise = owner_enterprise
    assert created["enterprise"] == enterprise.uscc and created["purpose"] == "listing"
    assert created["status"] == "valid" and created["verify_url"].endswith(f"/verify/{created['number']}/")
    listing = _client(owner).get(API, {"enterprise": enterprise.uscc}).json()
    assert listing["count"] == 1 and listing["results"][0]["number"] == created["number"]
    detail = _client(owner).get(f"{API}{created['number']}/").json()
    assert detail["sha256"] == created["sha256"]
    pdf = _client(owner).get(f"{API}{created['number']}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == created["sha256"]


def test_revoke_through_the_api(created, owner_enterprise):
    owner, _enterprise = owner_enterprise
    response = _client(owner).post(f"{API}{created['number']}/revoke/")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert response.json()["revoked_at"]
    again = _client(owner).post(f"{API}{created['number']}/revoke/")
    assert again.status_code == 400 and _error(again)["code"] == "invalid"


def test_other_tenants_and_banks_see_nothing(created, db):
    stranger = MembershipFactory(user=UserFactory()).user
    assert _client(stranger).get(API).json()["count"] == 0
    for path in (f"{API}{created['number']}/", f"{API}{created['number']}/pdf/"):
        response = _client(stranger).get(path)
        assert response.status_code == 404 and _error(response)["code"] == "not_found"
    officer = UserFactory(username="api_officer", role=Role.BANK_OFFICER)
    institution_add_staff(institution=InstitutionFactory(), user=officer)
    response = _client(officer).get(API)
    assert response.status_code == 403 and _error(response)["code"] == "permission_denied"
    assert _client().get(API).status_code in (401, 403)


def test_anyone_verifies_with_or_without_a_digest(created):
    url = f"{API}verify/{created['number']}/"
    body = _client().get(url).json()
    assert body["issuer"] == "LoanHub 信易贷平台" and body["status"] == "valid"
    assert body["enterprise_uscc"] == created["enterprise"] and body["digest_matches"] is None
    assert _client().get(url, {"sha256": created["sha256"]}).json()["digest_matches"] is True
    assert _client().get(url, {"sha256": "0" * 64}).json()["digest_matches"] is False
    bad = _client().get(url, {"sha256": "xyz"})
    assert bad.status_code == 400 and _error(bad)["code"] == "invalid"


def test_unknown_numbers_are_404_in_the_error_shape(db):
    for number in ("LHR-2026-ABCDEFGHJKMN", "nonsense"):
        response = _client().get(f"{API}verify/{number}/")
        assert response.status_code == 404 and _error(response)["code"] == "not_found"


def test_verification_is_rate_limited(created, monkeypatch):
    monkeypatch.setattr(ReportVerifyThrottle, "THROTTLE_RATES", {"report_verify": "3/min"})
    url = f"{API}verify/{created['number']}/"
    codes = [_client().get(url).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_bank_officer_cannot_create_and_an_sme_only_for_its_own(created, db):
    stranger = MembershipFactory(user=UserFactory()).user
    response = _client(stranger).post(API, {"enterprise": created["enterprise"], "purpose": "financing"}, format="json")
    assert response.status_code == 400 and "enterprise" in _error(response)["details"]


def test_without_a_font_the_api_answers_503(owner_enterprise, settings):
    settings.LOANHUB_REPORT_FONT = "/nonexistent/font.ttc"
    owner, enterprise = owner_enterprise
    response = _client(owner).post(API, {"enterprise": enterprise.uscc, "purpose": "financing"}, format="json")
    assert response.status_code == 503 and _error(response)["code"] == "report_font_missing"
