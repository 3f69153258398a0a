"""The token's identity (token, user, membership, institution) is cached for a few
seconds; everything that must refuse the token forgets it, so the next call is 401."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from loanhub.api.models import ApiToken
from loanhub.api.tokens import IDENTITY_CACHE, KEY_PREFIX, token_authenticate, token_hash, token_revoke
from loanhub.institutions.models import InstitutionMembership
from loanhub.institutions.services import institution_add_staff
from tests.factories.accounts import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads/"


@pytest.fixture(autouse=True)
def _empty_identity_cache():
    caches[IDENTITY_CACHE].clear()
    yield
    caches[IDENTITY_CACHE].clear()


def bank_key(user, institution) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, institution=institution, prefix=key[:10], key_hash=token_hash(key))
    return key


def status(key: str, path: str = LEADS) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(path).status_code


def cached_key(officer, bank, django_assert_num_queries) -> str:
    """A token whose identity is in the cache: a second check asks the database nothing."""
    key = bank_key(officer, bank)
    assert status(key) == 200  # its first use is written, and the copy without it dropped
    assert token_authenticate(key) is not None  # read afresh and kept
    with django_assert_num_queries(0):
        assert token_authenticate(key).user == officer
    return key


def test_a_cached_identity_is_the_one_select_related_gives(officer_a, bank_a, django_assert_num_queries):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    with django_assert_num_queries(0):
        token = token_authenticate(key)
        membership, institution = token.user.institution_membership, token.user.institution_membership.institution
    assert (institution, institution.name, token.institution_id) == (bank_a, bank_a.name, bank_a.pk)
    assert membership.role == InstitutionMembership.objects.get(user=officer_a).role


def test_revoking_stops_the_token_at_once(officer_a, bank_a, django_assert_num_queries):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    token_revoke(user=officer_a, token=ApiToken.objects.get(key_hash=token_hash(key)))
    assert status(key) == 401


def test_revoking_through_the_api_stops_the_token_at_once(officer_a, bank_a, django_assert_num_queries):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    token = ApiToken.objects.get(key_hash=token_hash(key))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.delete(f"/api/v1/auth/tokens/{token.pk}/").status_code in (200, 204)
    assert status(key) == 401


def test_a_password_change_stops_the_token_at_once(officer_a, bank_a, django_assert_num_queries):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    officer_a.set_password("Brand-new-pass-2026")
    officer_a.save()
    assert status(key) == 401


def test_a_two_factor_reset_stops_the_token_at_once(officer_a, bank_a, django_assert_num_queries):
    TOTPDevice.objects.create(user=officer_a, name="default", confirmed=True)
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    portal = Client()
    portal.force_login(officer_a)
    response = portal.post("/accounts/2fa/", {"password": TEST_PASSWORD, "action": "reset"})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/setup/"
    assert status(key) == 401


def test_removing_the_membership_stops_the_token_at_once(officer_a, bank_a, django_assert_num_queries):
    """As the Django admin's inline does: the membership row is deleted."""
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    InstitutionMembership.objects.get(user=officer_a).delete()
    assert status(key) == 401


def test_moving_to_another_bank_stops_the_token_at_once(officer_a, bank_a, bank_b, django_assert_num_queries):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    InstitutionMembership.objects.get(user=officer_a).delete()
    institution_add_staff(institution=bank_b, user=officer_a)
    assert status(key) == 401


def test_deactivating_the_user_stops_the_token_at_once(officer_a, bank_a, django_assert_num_queries):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    assert status(key) == 401


def test_deleting_the_user_stops_the_token_at_once(officer_a, bank_a, django_assert_num_queries):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    officer_a.delete()
    assert status(key) == 401


def test_a_cached_token_still_expires_on_time(officer_a, bank_a, django_assert_num_queries, monkeypatch):
    key = cached_key(officer_a, bank_a, django_assert_num_queries)
    ApiToken.objects.filter(key_hash=token_hash(key)).update(expires_at=timezone.now() + timedelta(seconds=1))
    caches[IDENTITY_CACHE].clear()  # cache the expiry too
    assert status(key) == 200
    token = ApiToken.objects.get(key_hash=token_hash(key))
    with django_assert_num_queries(0):
        assert token_authenticate(key) is not None
    later = token.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_assert_num_queries(0):
        assert token_authenticate(key) is None


def test_last_use_is_written_once_a_minute_and_the_token_then_comes_from_the_cache(
    officer_a, bank_a, django_assert_num_queries
):
    key = bank_key(officer_a, bank_a)  # never used
    with django_assert_num_queries(2):  # the token, then its last use
        assert token_authenticate(key) is not None
    with django_assert_num_queries(1):  # read afresh (the copy without the last use was dropped)
        token_authenticate(key)
    with django_assert_num_queries(0):
        assert token_authenticate(key).last_used_at is not None
