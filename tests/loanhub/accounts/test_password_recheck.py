"""Password re-checks outside login (new backup codes, 2FA reset, signing an
authorization, password change): rate-limited by the login lockout, counted toward
it, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from loanhub.accounts.services import password_recheck
from loanhub.api.models import ApiToken
from loanhub.api.tokens import token_hash
from loanhub.audit.models import AuditEvent, AuditKind, Outcome
from loanhub.consent.models import Authorization
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
WRONG = "not-the-password-1"
MANAGE = "/accounts/2fa/"


@pytest.fixture
def enrolled_owner(sme_owner):
    """An SME owner who turned 2FA on, so the security page asks for the password."""
    user, enterprise = sme_owner
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user, enterprise


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def recheck_rows(user, outcome: str) -> int:
    return AuditEvent.objects.filter(kind=AuditKind.PASSWORD_RECHECK, user=user, outcome=outcome).count()


def login_page_refuses(username: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": TEST_PASSWORD})
    return response.status_code == 429


def test_wrong_passwords_for_new_backup_codes_lock_the_user_out_everywhere(enrolled_owner):
    user, _enterprise = enrolled_owner
    client = logged_in(user)
    for _ in range(LIMIT - 1):
        response = client.post(MANAGE, {"password": WRONG, "action": "regenerate"})
        assert response.status_code == 200
        assert "密码不正确" in response.content.decode()
    response = client.post(MANAGE, {"password": WRONG, "action": "regenerate"})
    assert response.status_code == 429  # the lockout page; this session ends with it
    assert client.get("/accounts/dashboard/").status_code == 302

    # Another session of the same user, the right password: refused all the same.
    other = logged_in(user)
    response = other.post(MANAGE, {"password": TEST_PASSWORD, "action": "regenerate"})
    assert response.status_code == 429
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert login_page_refuses(user.username)

    assert recheck_rows(user, Outcome.FAILURE) == LIMIT + 1
    locked = AuditEvent.objects.filter(kind=AuditKind.PASSWORD_RECHECK, user=user, details__locked=True)
    assert locked.count() == 1 and locked.get().details["purpose"] == "backup_codes"
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKOUT, username=user.username).exists()


def test_a_right_password_before_the_limit_still_works_and_is_audited(enrolled_owner):
    user, _enterprise = enrolled_owner
    client = logged_in(user)
    client.post(MANAGE, {"password": WRONG, "action": "regenerate"})
    response = client.post(MANAGE, {"password": TEST_PASSWORD, "action": "regenerate"})
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert recheck_rows(user, Outcome.FAILURE) == 1 and recheck_rows(user, Outcome.SUCCESS) == 1
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 1


def test_login_failures_and_recheck_failures_share_one_counter(enrolled_owner):
    user, _enterprise = enrolled_owner
    for _ in range(LIMIT - 1):
        Client().post("/accounts/login/", {"username": user.username, "password": WRONG})
    client = logged_in(user)
    response = client.post(MANAGE, {"password": WRONG, "action": "reset"})
    assert response.status_code == 429
    assert TOTPDevice.objects.filter(user=user).exists()  # 2FA was not reset
    assert AuditEvent.objects.get(kind=AuditKind.PASSWORD_RECHECK, user=user).details["purpose"] == "2fa_reset"


def sign_form_data(client: Client, uscc: str, bank) -> dict:
    client.post(
        reverse("consent:new", kwargs={"uscc": uscc}),
        {"grantee_type": "institution", "institution": bank.pk, "purpose": "matching",
         "categories": ["registration"], "data_range": "3", "validity": "12"},
    )  # fmt: skip
    confirm = client.get(reverse("consent:confirm", kwargs={"uscc": uscc}))
    initial = confirm.context["form"].initial
    return {"text_hash": initial["text_hash"], "valid_from": initial["valid_from"].isoformat()}


def test_signing_an_authorization_counts_toward_the_lockout(sme_owner, bank_a):
    user, enterprise = sme_owner
    client = logged_in(user)
    data = sign_form_data(client, enterprise.uscc, bank_a)
    url = reverse("consent:confirm", kwargs={"uscc": enterprise.uscc})
    for _ in range(LIMIT - 1):
        response = client.post(url, {**data, "password": WRONG})
        assert response.status_code == 200 and "密码不正确" in response.content.decode()
    assert client.post(url, {**data, "password": WRONG}).status_code == 429

    client = logged_in(user)
    data = sign_form_data(client, enterprise.uscc, bank_a)
    assert client.post(url, {**data, "password": TEST_PASSWORD}).status_code == 429
    assert not Authorization.objects.filter(enterprise=enterprise).exists()
    assert login_page_refuses(user.username)
    purposes = set(
        AuditEvent.objects.filter(kind=AuditKind.PASSWORD_RECHECK, user=user).values_list("details__purpose", flat=True)
    )
    assert purposes == {"authorization_sign"}


def test_signing_over_the_api_counts_toward_the_lockout(sme_owner):
    user, enterprise = sme_owner
    key = "lh_test-key-for-consents"
    ApiToken.objects.create(user=user, prefix=key[:10], key_hash=token_hash(key))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {
        "enterprise": enterprise.uscc, "grantee_type": "platform", "purpose": "matching",
        "categories": ["registration"], "data_from": "2024-01-01",
        "expires_at": (timezone.now() + timedelta(days=30)).isoformat(),
    }  # fmt: skip
    for _ in range(LIMIT - 1):
        response = client.post("/api/v1/consents/", {**body, "password": WRONG}, format="json")
        assert response.status_code == 400
    response = client.post("/api/v1/consents/", {**body, "password": WRONG}, format="json")
    assert response.status_code == 403 and "锁定" in response.json()["error"]["message"]
    response = client.post("/api/v1/consents/", {**body, "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 403 and "锁定" in response.json()["error"]["message"]
    assert not Authorization.objects.filter(enterprise=enterprise).exists()
    assert login_page_refuses(user.username)


def test_the_password_change_page_counts_toward_the_lockout(sme_owner):
    user, _enterprise = sme_owner
    client = logged_in(user)
    new = {"new_password1": "Brand-new-pass-2026", "new_password2": "Brand-new-pass-2026"}
    for _ in range(LIMIT - 1):
        response = client.post("/accounts/password/", {"old_password": WRONG, **new})
        assert response.status_code == 200
    assert client.post("/accounts/password/", {"old_password": WRONG, **new}).status_code == 429
    client = logged_in(user)
    assert client.post("/accounts/password/", {"old_password": TEST_PASSWORD, **new}).status_code == 429
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_without_a_request_the_password_is_only_checked_and_audited(sme_owner):
    user, _enterprise = sme_owner
    for _ in range(LIMIT + 1):
        assert password_recheck(request=None, user=user, password=WRONG, purpose="script") is False
    assert password_recheck(request=None, user=user, password=TEST_PASSWORD, purpose="script") is True
    assert not AccessAttempt.objects.exists()
    assert recheck_rows(user, Outcome.FAILURE) == LIMIT + 1


def test_the_admin_sites_send_password_changes_to_the_portal(platform_admin):
    """Their own forms check the old password outside the lockout: they are off."""
    platform_admin.is_superuser = platform_admin.is_staff = True
    platform_admin.save()
    client = logged_in(platform_admin)
    response = client.get("/django-admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    account = client.get("/cms-admin/account/").content.decode()
    assert 'name="password-old_password"' not in account
    assert 'href="/accounts/password/"' in account
    assert client.get("/accounts/password/").status_code == 200
