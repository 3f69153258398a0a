from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from loanhub.consent.exceptions import NotAuthorized
from loanhub.consent.models import AccessLog, Authorization, AuthorizationStatus, GranteeType, Purpose
from loanhub.consent.services import authorization_grant, authorization_revoke
from loanhub.credit_data.catalog import CATEGORY_CODES
from loanhub.credit_data.selectors import credit_profile_for_viewer
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.credit import authorize, standard_records
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db


def visible(profile) -> dict[str, int]:
    return {s.code: len(s.records) for s in profile.sections}


def test_officer_sees_only_authorized_categories_and_range(sme_owner, bank_a, officer_a):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a, categories=["tax_rating", "penalty", "licence"], years=3)
    profile = credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)
    seen = visible(profile)
    assert set(seen) == {"tax_rating", "penalty", "licence"}
    assert seen["tax_rating"] == 1 and seen["penalty"] == 1
    assert seen["licence"] == 0  # dated four years back: outside the 3-year range


def test_officer_of_another_bank_sees_nothing(sme_owner, bank_a, officer_b):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a)
    with pytest.raises(NotAuthorized):
        credit_profile_for_viewer(viewer=officer_b, enterprise=enterprise)
    assert not AccessLog.objects.exists()


def test_revoking_cuts_access_at_once(sme_owner, bank_a, officer_a):
    user, enterprise = sme_owner
    artefact = authorize(enterprise, institution=bank_a)
    credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)
    authorization_revoke(authorization=artefact, user=user)
    assert artefact.status == AuthorizationStatus.REVOKED
    with pytest.raises(NotAuthorized):
        credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)


def test_expiry_is_enforced_by_time_without_any_job(sme_owner, bank_a, officer_a):
    _user, enterprise = sme_owner
    artefact = authorize(enterprise, institution=bank_a)
    past = timezone.now() - timedelta(seconds=1)
    Authorization.objects.filter(pk=artefact.pk).update(valid_from=past - timedelta(days=30), expires_at=past)
    artefact.refresh_from_db()
    assert artefact.status == AuthorizationStatus.ACTIVE  # nothing ran…
    assert artefact.effective_status() == AuthorizationStatus.EXPIRED  # …yet it has expired
    with pytest.raises(NotAuthorized):
        credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)


@pytest.mark.parametrize("category", CATEGORY_CODES)
def test_each_category_is_shown_only_when_authorized(sme_owner, bank_a, officer_a, category):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    other = "tax_rating" if category != "tax_rating" else "penalty"
    authorize(enterprise, institution=bank_a, categories=[category])
    seen = visible(credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise))
    assert set(seen) == {category}
    assert other not in seen


def test_platform_grant_covers_the_platform_not_banks(sme_owner, officer_a, platform_admin):
    _user, enterprise = sme_owner
    authorize(enterprise, grantee_type=GranteeType.PLATFORM)
    assert credit_profile_for_viewer(viewer=platform_admin, enterprise=enterprise)
    with pytest.raises(NotAuthorized):
        credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)


def test_institution_grant_does_not_cover_the_platform(sme_owner, bank_a, platform_admin):
    _user, enterprise = sme_owner
    authorize(enterprise, institution=bank_a)
    with pytest.raises(NotAuthorized):
        credit_profile_for_viewer(viewer=platform_admin, enterprise=enterprise)


def test_applied_grant_needs_an_application_to_that_bank(sme_owner, bank_a, officer_a):
    _user, enterprise = sme_owner
    authorize(enterprise, grantee_type=GranteeType.APPLIED)
    with pytest.raises(NotAuthorized):
        credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)


def test_another_smes_user_sees_nothing(sme_owner, other_sme_owner):
    _user, enterprise = sme_owner
    other_user, _other = other_sme_owner
    authorize(enterprise, grantee_type=GranteeType.PLATFORM)
    with pytest.raises(NotAuthorized):
        credit_profile_for_viewer(viewer=other_user, enterprise=enterprise)


def grant(user, enterprise, bank, **overrides):
    terms = {
        "enterprise": enterprise, "user": user, "password": TEST_PASSWORD,
        "grantee_type": GranteeType.INSTITUTION, "institution": bank, "purpose": Purpose.MATCHING,
        "categories": ["tax_rating", "penalty"], "data_from": timezone.localdate() - timedelta(days=365),
        "expires_at": timezone.now() + timedelta(days=90),
    }  # fmt: skip
    terms.update(overrides)
    return authorization_grant(**terms)


def test_grant_stores_the_exact_text_and_its_hash(sme_owner, bank_a):
    import hashlib

    user, enterprise = sme_owner
    artefact = grant(user, enterprise, bank_a)
    assert enterprise.name in artefact.text and bank_a.name in artefact.text
    assert "纳税信用等级" in artefact.text and "行政处罚" in artefact.text
    assert artefact.text_hash == hashlib.sha256(artefact.text.encode()).hexdigest()
    assert artefact.is_live()


def test_grant_needs_the_right_password(sme_owner, bank_a):
    user, enterprise = sme_owner
    with pytest.raises(ValidationError) as exc:
        grant(user, enterprise, bank_a, password="wrong-password")
    assert "password" in exc.value.message_dict
    assert not Authorization.objects.exists()


def test_sensitive_category_needs_its_own_tick(sme_owner, bank_a):
    user, enterprise = sme_owner
    with pytest.raises(ValidationError) as exc:
        grant(user, enterprise, bank_a, categories=["tax_payment"])
    assert "sensitive_confirmed" in exc.value.message_dict
    assert grant(user, enterprise, bank_a, categories=["tax_payment"], sensitive_confirmed=True)


def test_validity_is_at_most_twelve_months(sme_owner, bank_a):
    user, enterprise = sme_owner
    with pytest.raises(ValidationError) as exc:
        grant(user, enterprise, bank_a, expires_at=timezone.now() + timedelta(days=400))
    assert "expires_at" in exc.value.message_dict


def test_only_the_owner_may_grant_or_revoke(sme_owner, bank_a):
    owner, enterprise = sme_owner
    member = MembershipFactory(enterprise=enterprise, user=UserFactory(), role="member").user
    with pytest.raises(PermissionDenied):
        grant(member, enterprise, bank_a)
    artefact = grant(owner, enterprise, bank_a)
    with pytest.raises(PermissionDenied):
        authorization_revoke(authorization=artefact, user=member)


def test_changed_text_is_refused(sme_owner, bank_a):
    user, enterprise = sme_owner
    with pytest.raises(ValidationError):
        grant(user, enterprise, bank_a, expected_hash="0" * 64)
