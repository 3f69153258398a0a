from __future__ import annotations

import pytest
from django.urls import reverse

from loanhub.accounts.models import Role
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_owner_sees_own_enterprise(client, sme_owner):
    user, enterprise = sme_owner
    client.force_login(user)
    response = client.get(reverse("enterprises:detail", args=[enterprise.uscc]))
    assert response.status_code == 200
    assert enterprise.name in response.content.decode()


def test_sme_cannot_open_another_enterprise(client, sme_owner, other_sme_owner):
    user, _ = sme_owner
    _other_user, other = other_sme_owner
    client.force_login(user)
    response = client.get(reverse("enterprises:detail", args=[other.uscc]))
    assert response.status_code == 404
    assert other.name not in response.content.decode()


def test_dashboard_lists_only_own_enterprises(client, sme_owner, other_sme_owner):
    user, mine = sme_owner
    _other_user, other = other_sme_owner
    client.force_login(user)
    body = client.get(reverse("accounts:dashboard")).content.decode()
    assert mine.name in body
    assert other.name not in body


@pytest.mark.parametrize("role", [Role.BANK_OFFICER, Role.BANK_MANAGER, Role.PLATFORM_ADMIN])
def test_non_members_of_other_roles_cannot_open_enterprise_pages(client, sme_owner, role):
    _user, enterprise = sme_owner
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("enterprises:detail", args=[enterprise.uscc]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, sme_owner):
    _user, enterprise = sme_owner
    response = client.get(reverse("enterprises:detail", args=[enterprise.uscc]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
