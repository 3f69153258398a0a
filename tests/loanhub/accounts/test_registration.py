from __future__ import annotations

import pytest
from django.urls import reverse

from loanhub.accounts.models import Role, User
from loanhub.enterprises.models import Enterprise, MemberRole
from tests.factories.enterprises import EnterpriseFactory, make_uscc

pytestmark = pytest.mark.django_db


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newsme",
        "display_name": "赵新",
        "email": "newsme@example.com",
        "password1": "Str0ng-pass-word",
        "password2": "Str0ng-pass-word",
        "uscc": make_uscc(777),
        "enterprise_name": "广州新企业有限公司",
        "legal_representative": "赵新",
        "region": "440100",
        "industry": "C",
        "registration_date": "2018-03-01",
        "registered_capital": "300",
        "agree": "on",
    }
    data.update(overrides)
    return data


def test_sme_registers_and_becomes_owner_of_its_enterprise(client):
    response = client.post(reverse("accounts:register"), form_data())
    assert response.status_code == 302
    user = User.objects.get(username="newsme")
    enterprise = Enterprise.objects.get(uscc=make_uscc(777))
    assert user.role == Role.SME
    assert enterprise.registered_capital == 3_000_000
    assert enterprise.memberships.get(user=user).role == MemberRole.OWNER
    # logged in straight away
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_lower_case_uscc_is_stored_normalized(client):
    code = make_uscc(778)
    client.post(reverse("accounts:register"), form_data(uscc=f" {code.lower()} "))
    assert Enterprise.objects.filter(uscc=code).exists()


def test_duplicate_uscc_is_refused_and_creates_no_user(client):
    existing = EnterpriseFactory()
    response = client.post(reverse("accounts:register"), form_data(uscc=existing.uscc))
    assert response.status_code == 200
    assert "该统一社会信用代码已注册" in response.content.decode()
    assert not User.objects.filter(username="newsme").exists()
    assert Enterprise.objects.count() == 1


def test_bad_uscc_shows_what_is_wrong(client):
    response = client.post(reverse("accounts:register"), form_data(uscc="91440300708461136X"))
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not User.objects.filter(username="newsme").exists()


def test_weak_password_is_refused(client):
    response = client.post(reverse("accounts:register"), form_data(password1="12345678", password2="12345678"))
    assert response.status_code == 200
    assert not User.objects.filter(username="newsme").exists()


def test_taken_username_is_refused(client, sme_owner):
    user, _enterprise = sme_owner
    response = client.post(reverse("accounts:register"), form_data(username=user.username))
    assert response.status_code == 200
    assert "该用户名已被使用" in response.content.decode()
    assert Enterprise.objects.count() == 1


def test_future_registration_date_is_refused(client):
    response = client.post(reverse("accounts:register"), form_data(registration_date="2999-01-01"))
    assert "成立日期不能晚于今天" in response.content.decode()
