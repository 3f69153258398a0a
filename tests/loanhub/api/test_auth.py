"""Tokens: issuing with password (+ TOTP for staff), hashing, listing, revoking; rate
limits; the 2FA middleware and token-authenticated requests; session auth with CSRF."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from loanhub.accounts.models import Role
from loanhub.accounts.two_factor import backup_codes_generate, totp_current_code
from loanhub.api.models import ApiToken
from loanhub.audit.models import AuditEvent, AuditKind
from tests.factories.accounts import TEST_PASSWORD, UserFactory

from .conftest import client_for

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


def issue(client: APIClient, username: str, password: str = TEST_PASSWORD, **extra: str):
    return client.post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json")


def test_an_sme_gets_a_token_that_is_stored_only_as_a_hash(world):
    response = issue(APIClient(), "sme_a", name="erp")
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert key not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    assert client_for(key).get("/api/v1/enterprises/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_SUCCEEDED, username="sme_a").exists()


def test_wrong_password_is_a_json_401(world):
    response = issue(APIClient(), "sme_a", password="wrong-password-1")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_staff_need_the_totp_code_for_a_token(world):
    officer = world.users["officer_a"]
    device = TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    client = APIClient()
    assert issue(client, "officer_a").json()["error"]["code"] == "otp_required"
    assert issue(client, "officer_a", otp="000000").json()["error"]["code"] == "otp_invalid"
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = issue(client, "officer_a", otp=totp_current_code(device))
    assert response.status_code == 201
    assert response.json()["institution"] == officer.institution_membership.institution.short_name
    assert client_for(response.json()["token"]).get("/api/v1/leads/").status_code == 200


def test_a_backup_code_works_once(world):
    officer = world.users["officer_b"]
    TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    code = backup_codes_generate(officer)[0]
    assert issue(APIClient(), "officer_b", otp=code).status_code == 201
    assert issue(APIClient(), "officer_b", otp=code).status_code == 401


def test_a_token_request_passes_the_2fa_middleware_even_with_an_unverified_session(world, client):
    officer = world.users["officer_a"]
    client.login(username="officer_a", password=TEST_PASSWORD)  # password only, not verified
    assert client.get("/api/v1/leads/").json()["error"]["code"] == "two_factor_required"
    ok = client.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {world.tokens['officer_a']}")
    assert ok.status_code == 200
    bogus = client.get("/api/v1/leads/", HTTP_AUTHORIZATION="Token not-a-real-key")
    assert bogus.status_code == 401  # a bad token never falls back to the session
    assert officer.is_authenticated


def test_revoked_and_expired_tokens_get_401(world):
    from datetime import timedelta

    from django.utils import timezone

    client = world.client("sme_a")
    tokens = client.get("/api/v1/auth/tokens/").json()
    assert [t["prefix"] for t in tokens] == [world.tokens["sme_a"][:10]]
    assert client.delete(f"/api/v1/auth/tokens/{tokens[0]['id']}/").status_code == 204
    response = client.get("/api/v1/needs/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"] == "Token"
    ApiToken.objects.filter(user=world.users["sme_b"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert world.client("sme_b").get("/api/v1/needs/").status_code == 401


def test_a_bank_token_dies_when_its_user_leaves_the_institution(world):
    from loanhub.institutions.models import InstitutionMembership

    membership = InstitutionMembership.objects.get(user=world.users["officer_a"])
    membership.institution = world.lead_b.institution  # moved to bank B
    membership.save()
    assert world.client("officer_a").get("/api/v1/leads/").status_code == 401


def test_token_requests_are_rate_limited_per_ip_with_retry_after(world):
    client = APIClient()
    codes = [issue(client, f"nobody{i}", password="wrong-password-1").status_code for i in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    response = issue(client, "sme_a")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["details"]["retry_after"] > 0


def test_expensive_reads_are_rate_limited_per_user(world, settings):
    from loanhub.api.throttling import ExpensiveRateThrottle

    original = ExpensiveRateThrottle.THROTTLE_RATES
    ExpensiveRateThrottle.THROTTLE_RATES = {**original, "expensive": "2/min"}
    try:
        client = world.client("sme_a")
        url = f"/api/v1/needs/{world.need_a.pk}/matches/"
        assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
        assert world.client("officer_a").get(f"/api/v1/leads/{world.lead_a.pk}/").status_code == 200  # other user
    finally:
        ExpensiveRateThrottle.THROTTLE_RATES = original


def test_locked_out_username_gets_a_json_answer(world):
    client = APIClient()
    for _ in range(5):
        issue(client, "sme_a", password="wrong-password-1")
    response = issue(client, "sme_a")  # right password, but locked out
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_session_auth_works_for_the_portal_and_needs_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["sme_a"])
    assert client.get("/api/v1/needs/").status_code == 200
    response = client.post("/api/v1/needs/", {"enterprise": world.ent_a.uscc}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_a_staff_user_without_an_institution_gets_no_token():
    UserFactory(username="lonely", role=Role.BANK_OFFICER)
    from django.test import override_settings

    with override_settings(LOANHUB_REQUIRE_2FA=False):
        response = issue(APIClient(), "lonely")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_institution"
