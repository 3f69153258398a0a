"""Changing or resetting a password, or resetting 2FA, revokes the user's API tokens
and ends their other sessions (the current one stays)."""

from __future__ import annotations

import secrets

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from loanhub.accounts.models import Role
from loanhub.api.models import ApiToken
from loanhub.api.tokens import token_hash
from loanhub.audit.models import AuditEvent, AuditKind
from tests.factories.accounts import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-new-pass-2026"
DASHBOARD = "/accounts/dashboard/"
TOKENS = "/api/v1/auth/tokens/"


def api_key_for(user) -> str:
    key = "lh_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, prefix=key[:10], key_hash=token_hash(key))
    return key


def api_status(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(TOKENS).status_code


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 200
    return client


def is_logged_out(client: Client) -> bool:
    response = client.get(DASHBOARD)
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_changing_the_password_revokes_tokens_and_ends_other_sessions(sme_owner):
    user, _enterprise = sme_owner
    key, other, current = api_key_for(user), logged_in(user), logged_in(user)
    assert api_status(key) == 200
    response = current.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_status(key) == 401
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert is_logged_out(other)
    assert current.get(DASHBOARD).status_code == 200  # this session stays
    assert Client().login(username=user.username, password=NEW_PASSWORD)


def test_resetting_a_forgotten_password_revokes_tokens_and_ends_sessions(sme_owner):
    user, _enterprise = sme_owner
    key, other = api_key_for(user), logged_in(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    client = Client()
    response = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(user)}/")
    assert response.status_code == 302  # to the set-password URL (token kept in the session)
    response = client.post(response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert api_status(key) == 401
    assert is_logged_out(other)


def test_any_saved_password_change_revokes_tokens(sme_owner):
    """The admin sites and manage.py changepassword save a new password the same way."""
    user, _enterprise = sme_owner
    key = api_key_for(user)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert api_status(key) == 401
    revoked = AuditEvent.objects.filter(kind=AuditKind.LOGOUT, user=user, details__token_revoked=True)
    assert revoked.count() == 1


def test_resetting_two_factor_revokes_tokens_and_ends_other_sessions():
    officer = UserFactory(username="officer_reset", role=Role.BANK_OFFICER)
    TOTPDevice.objects.create(user=officer, name="default", confirmed=True)
    key, other, current = api_key_for(officer), logged_in(officer), logged_in(officer)
    response = current.post("/accounts/2fa/", {"password": TEST_PASSWORD, "action": "reset"})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    assert api_status(key) == 401
    assert is_logged_out(other)
    # This session stays, unverified: it is sent to enrol a new device, not to log in.
    assert current.get("/accounts/2fa/setup/").status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.SESSIONS_ENDED, user=officer).count() == 1


def test_an_sme_keeps_its_session_after_resetting_two_factor(sme_owner):
    user, _enterprise = sme_owner
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    other, current = logged_in(user), logged_in(user)
    current.post("/accounts/2fa/", {"password": TEST_PASSWORD, "action": "reset"})
    assert current.get(DASHBOARD).status_code == 200
    assert is_logged_out(other)


def test_new_backup_codes_change_no_session(sme_owner):
    user, _enterprise = sme_owner
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    key, other, current = api_key_for(user), logged_in(user), logged_in(user)
    current.post("/accounts/2fa/", {"password": TEST_PASSWORD, "action": "regenerate"})
    assert api_status(key) == 200
    assert other.get(DASHBOARD).status_code == 200


def test_sessions_made_before_the_session_epoch_existed_stay_valid(sme_owner):
    """At epoch 0 the session hash is Django's own: deploying this logs nobody out."""
    user, _enterprise = sme_owner
    assert user.session_epoch == 0
    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)
    user.session_epoch = 1
    assert user.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(user)
