"""token_authenticate: one query gives the token with its user, membership and
institution attached, and every refusal still holds."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from loanhub.api.models import ApiToken
from loanhub.api.tokens import KEY_PREFIX, token_authenticate, token_hash
from loanhub.institutions.models import InstitutionMembership

pytestmark = pytest.mark.django_db


def make_token(user, institution=None, **fields) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, institution=institution, name="t", prefix=key[:10], key_hash=token_hash(key),
        last_used_at=timezone.now(), **fields,
    )  # fmt: skip
    return key


def test_bank_token_comes_with_user_membership_and_institution_in_one_query(
    officer_a, bank_a, django_assert_num_queries
):
    key = make_token(officer_a, bank_a)
    with django_assert_num_queries(1):
        token = token_authenticate(key)
        user = token.user
        assert (user.pk, user.username, user.is_bank_staff) == (officer_a.pk, officer_a.username, True)
        assert user.institution_membership.institution == bank_a
        assert user.institution_membership.institution.name == bank_a.name
    assert user.institution_membership.role == InstitutionMembership.objects.get(user=officer_a).role
    assert token.institution_id == bank_a.pk and not token._state.adding


def test_sme_token_knows_there_is_no_membership_without_asking(sme_owner, django_assert_num_queries):
    user, _enterprise = sme_owner
    key = make_token(user)
    with django_assert_num_queries(1):
        token = token_authenticate(key)
        assert token.user == user and token.user.is_sme
        assert getattr(token.user, "institution_membership", None) is None


def test_refusals(officer_a, bank_a, bank_b, sme_owner):
    assert token_authenticate("lh_unknown") is None
    revoked = make_token(officer_a, bank_a, revoked_at=timezone.now())
    expired = make_token(officer_a, bank_a, expires_at=timezone.now() - timedelta(seconds=1))
    other_bank = make_token(officer_a, bank_b)
    live = make_token(officer_a, bank_a, expires_at=timezone.now() + timedelta(days=1))
    assert [token_authenticate(k) for k in (revoked, expired, other_bank)] == [None, None, None]
    assert token_authenticate(live) is not None
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])
    assert token_authenticate(live) is None
