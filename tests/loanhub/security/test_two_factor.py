"""Two-factor authentication: who must, enrolment with a real TOTP code, backup codes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from loanhub.accounts.models import Role
from loanhub.accounts.two_factor import backup_codes_generate, totp_current_code
from tests.factories.accounts import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/accounts/dashboard/"


def password_login(client, user) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


@pytest.mark.parametrize(
    "role, flags",
    [
        (Role.BANK_OFFICER, {}),
        (Role.BANK_MANAGER, {}),
        (Role.PLATFORM_ADMIN, {}),
        (Role.SME, {"is_superuser": True, "is_staff": True}),
    ],
)
@pytest.mark.parametrize("url", [DASHBOARD, "/cms-admin/", "/django-admin/", "/"])
def test_staff_roles_are_sent_to_enrolment_after_the_password(client, role, flags, url):
    user = UserFactory(username=f"u_{role}", role=role, **flags)
    password_login(client, user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:2fa_setup"))


def test_an_enrolled_officer_is_sent_to_verification(client):
    user = UserFactory(username="officer", role=Role.BANK_OFFICER)
    enrolled(user)
    password_login(client, user)
    response = client.get("/cms-admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:2fa_verify") + "?next=%2Fcms-admin%2F"


def test_api_calls_get_a_403_until_verified(client):
    user = UserFactory(username="officer", role=Role.BANK_OFFICER)
    password_login(client, user)
    response = client.get("/api/anything/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"


def test_sme_users_do_not_need_a_second_factor(client):
    user = UserFactory(username="sme", role=Role.SME)
    password_login(client, user)
    assert client.get(DASHBOARD).status_code == 200


def test_an_sme_who_enrolled_must_verify(client):
    user = UserFactory(username="sme", role=Role.SME)
    enrolled(user)
    password_login(client, user)
    assert client.get(DASHBOARD)["Location"].startswith(reverse("accounts:2fa_verify"))


def test_two_factor_can_be_switched_off_by_setting(client, settings):
    settings.LOANHUB_REQUIRE_2FA = False
    user = UserFactory(username="officer", role=Role.BANK_OFFICER)
    password_login(client, user)
    assert client.get(DASHBOARD).status_code == 200


def test_enrolment_with_a_real_totp_code_then_backup_codes_are_shown_once(client):
    user = UserFactory(username="officer", role=Role.BANK_OFFICER)
    password_login(client, user)
    page = client.get(reverse("accounts:2fa_setup") + "?next=/accounts/dashboard/")
    body = page.content.decode()
    assert "<svg" in body  # the QR code, inline
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"] in body

    wrong = client.post(reverse("accounts:2fa_setup"), {"code": "000000"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code above started throttling
    device.save()

    session_key = client.session.session_key
    response = client.post(reverse("accounts:2fa_setup"), {"code": totp_current_code(device), "next": DASHBOARD})
    assert response.status_code == 302
    assert client.session.session_key != session_key  # new key on privilege change
    device.refresh_from_db()
    assert device.confirmed

    codes_page = client.get(response["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert client.get(reverse("accounts:2fa_backup_codes")).status_code == 302  # only once
    assert client.get(DASHBOARD).status_code == 200


def test_verification_with_the_current_totp_code(client):
    user = UserFactory(username="manager", role=Role.BANK_MANAGER)
    device = enrolled(user)
    password_login(client, user)
    response = client.post(reverse("accounts:2fa_verify"), {"code": totp_current_code(device), "next": DASHBOARD})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_a_backup_code_works_once_only(client):
    user = UserFactory(username="admin", role=Role.PLATFORM_ADMIN)
    enrolled(user)
    code = backup_codes_generate(user)[0]

    password_login(client, user)
    assert client.post(reverse("accounts:2fa_verify"), {"code": code}).status_code == 302
    assert client.get(DASHBOARD).status_code == 200
    client.post("/accounts/logout/")

    password_login(client, user)
    again = client.post(reverse("accounts:2fa_verify"), {"code": code})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()
    assert client.get(DASHBOARD).status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_security_settings_need_the_password_and_a_verified_session(client):
    user = UserFactory(username="officer", role=Role.BANK_OFFICER)
    device = enrolled(user)
    backup_codes_generate(user)
    password_login(client, user)
    # Not verified yet: the management page is out of reach (a stolen password alone
    # cannot reset the second factor).
    assert client.get(reverse("accounts:2fa_manage")).status_code == 302
    client.post(reverse("accounts:2fa_verify"), {"code": totp_current_code(device)})

    refused = client.post(reverse("accounts:2fa_manage"), {"action": "reset", "password": "nope-nope-1"})
    assert refused.status_code == 200 and "密码不正确" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()

    old = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    response = client.post(reverse("accounts:2fa_manage"), {"action": "regenerate", "password": TEST_PASSWORD})
    new = client.get(response["Location"]).context["codes"]
    assert not old & set(new)

    response = client.post(reverse("accounts:2fa_manage"), {"action": "reset", "password": TEST_PASSWORD})
    assert response["Location"] == reverse("accounts:2fa_setup")
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get(DASHBOARD)["Location"].startswith(reverse("accounts:2fa_setup"))


def test_force_login_in_tests_counts_as_verified_for_staff(client):
    user = UserFactory(username="officer", role=Role.BANK_OFFICER)
    client.force_login(user)
    assert client.get(DASHBOARD).status_code == 200
