from __future__ import annotations

import pytest
from django.core.files.storage import FileSystemStorage

from loanhub.enterprises.models import BusinessLicence
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory, PendingEnterpriseFactory
from tests.factories.portal_fixtures import *  # noqa: F403 — portal, banks, officer, moderator


@pytest.fixture(autouse=True)
def licence_storage(tmp_path, monkeypatch):
    """Uploaded licences go to a temporary folder, never the repository's var/."""
    storage = FileSystemStorage(location=str(tmp_path / "private"))
    monkeypatch.setattr(BusinessLicence._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def sandbox_registry(settings):
    settings.LOANHUB_SANDBOX_REGISTRY = True
    return settings


@pytest.fixture
def pending_owner(db):
    """A newly registered SME: owner of an enterprise still 待认证."""
    membership = MembershipFactory(
        user=UserFactory(username="new_owner", email="new_owner@example.com"),
        enterprise=PendingEnterpriseFactory(),
    )
    return membership.user, membership.enterprise
