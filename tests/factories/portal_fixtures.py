"""Pytest fixtures of a small portal: two banks, their pages, an officer, a moderator.

Imported by the conftest of every test folder that needs them."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from loanhub.accounts.models import Role
from loanhub.institutions.services import institution_add_staff
from tests.factories.accounts import UserFactory
from tests.factories.cms import institution_page_for, portal_create
from tests.factories.institutions import InstitutionFactory


@pytest.fixture(autouse=True)
def fresh_page_cache():
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def portal(db):
    return portal_create()


@pytest.fixture
def bank_a(portal):
    return InstitutionFactory(slug="bank-a", short_name="甲银行", name="甲银行股份有限公司")


@pytest.fixture
def bank_b(portal):
    return InstitutionFactory(slug="bank-b", short_name="乙银行", name="乙银行股份有限公司")


@pytest.fixture
def bank_a_page(bank_a):
    return institution_page_for(bank_a)


@pytest.fixture
def bank_b_page(bank_b):
    return institution_page_for(bank_b)


@pytest.fixture
def officer_a(bank_a_page):
    user = UserFactory(username="officer_a", role=Role.BANK_OFFICER)
    institution_add_staff(institution=bank_a_page.institution, user=user)
    return user


def _manager(bank_page, username: str):
    user = UserFactory(username=username, role=Role.BANK_MANAGER)
    institution_add_staff(institution=bank_page.institution, user=user, role="manager")
    return user


@pytest.fixture
def manager_a(bank_a_page):
    return _manager(bank_a_page, "manager_a")


@pytest.fixture
def manager_b(bank_b_page):
    return _manager(bank_b_page, "manager_b")


@pytest.fixture
def platform_admin(portal):
    """A platform administrator who is not a superuser: rights come from groups."""
    from cms.services import moderation_setup

    user = UserFactory(username="moderator", role=Role.PLATFORM_ADMIN)
    moderation_setup(portal)
    return user
