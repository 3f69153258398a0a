from __future__ import annotations

import pytest

from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.enterprises import MembershipFactory


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def sme_owner(db):
    """An SME user who owns one enterprise."""
    membership = MembershipFactory(user=UserFactory(username="owner_a"))
    return membership.user, membership.enterprise


@pytest.fixture
def other_sme_owner(db):
    membership = MembershipFactory(user=UserFactory(username="owner_b"))
    return membership.user, membership.enterprise
