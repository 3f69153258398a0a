from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_then_logout(client, sme_owner, password):
    user, _ = sme_owner
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_wrong_password_keeps_user_out(client, sme_owner):
    user, _ = sme_owner
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_password_reset_by_email(client, sme_owner):
    user, _ = sme_owner
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    new = "Brand-new-pass-2026"
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new, "new_password2": new},
    )
    user.refresh_from_db()
    assert user.check_password(new)


def test_home_page_is_chinese_by_default(client, django_db_setup):
    from loanhub.demo.services import SeedContext, seed_site

    seed_site(SeedContext(password="x", progress=lambda _m: None))
    body = client.get("/").content.decode()
    assert 'lang="zh-hans"' in body
    assert "企业注册" in body


def test_language_switch_to_english(client):
    from loanhub.demo.services import SeedContext, seed_site

    seed_site(SeedContext(password="x", progress=lambda _m: None))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body
    assert "Register" in body
