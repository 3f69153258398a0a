"""Lockout (django-axes), password rules, idle timeout, session key on login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from loanhub.accounts.models import Role
from tests.factories.accounts import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def fail(client, url: str, username: str, times: int, ip: str = "10.0.0.1"):
    response = None
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "Wrong-pass-123"}, REMOTE_ADDR=ip)
    return response


def test_five_failures_lock_that_user_from_that_ip_with_a_chinese_message(client):
    UserFactory(username="victim")
    assert fail(client, LOGIN, "victim", 4).status_code == 200
    response = fail(client, LOGIN, "victim", 1)
    assert response.status_code == 429
    assert "账户已临时锁定" in response.content.decode()
    assert "30 分钟" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(LOGIN, {"username": "victim", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip_pair(client):
    UserFactory(username="victim")
    UserFactory(username="bystander")
    fail(client, LOGIN, "victim", 5, ip="10.0.0.1")
    # the same user from another address, and another user from the same address
    ok = client.post(LOGIN, {"username": "victim", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.2")
    assert ok.status_code == 302
    client.logout()
    ok = client.post(LOGIN, {"username": "bystander", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302


def test_lockout_ends_after_thirty_minutes(client):
    from axes.models import AccessAttempt

    UserFactory(username="victim")
    fail(client, LOGIN, "victim", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    ok = client.post(LOGIN, {"username": "victim", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302


@pytest.mark.parametrize("url", ["/cms-admin/login/", "/django-admin/login/"])
def test_admin_logins_are_protected_too(client, url):
    UserFactory(username="staffer", role=Role.PLATFORM_ADMIN, is_staff=True)
    response = fail(client, url, "staffer", 5)
    assert response.status_code == 429
    assert "账户已临时锁定" in response.content.decode()


def test_client_ip_behind_trusted_proxy_uses_the_proxy_seen_address(rf, settings):
    from loanhub.security.net import client_ip

    settings.LOANHUB_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(request) == "203.0.113.9"  # the spoofable left entry is ignored
    settings.LOANHUB_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"


@pytest.mark.parametrize(
    "password, code",
    [
        ("Short-1a", "password_too_short"),  # fewer than 10 characters
        ("password1234", "password_too_common"),
        ("1234567890123", "password_entirely_numeric"),
    ],
)
def test_password_rules_refuse_short_common_and_numeric(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert code in [e.code for e in exc.value.error_list]


def test_a_long_uncommon_password_is_accepted():
    validate_password("Credit-Easy-Loan-2026")


def test_login_issues_a_new_session_key(client):
    UserFactory(username="someone")
    client.get(LOGIN)
    client.session.save()  # an anonymous session exists before login
    before = client.session.session_key
    client.post(LOGIN, {"username": "someone", "password": TEST_PASSWORD})
    after = client.session.session_key
    assert before and after and before != after
    assert not Session.objects.filter(session_key=before).exists()


def test_idle_session_expires_after_thirty_minutes(client, settings):
    user = UserFactory(username="idle")
    client.force_login(user)
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    # each request pushes the expiry 30 minutes ahead …
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    # … and 30 idle minutes end it
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
