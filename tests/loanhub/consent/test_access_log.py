from __future__ import annotations

import pytest
from django.urls import reverse

from loanhub.consent.models import AccessLog, Channel, GranteeType, Purpose
from loanhub.credit_data.selectors import credit_profile_for_viewer
from tests.factories.credit import authorize, standard_records

pytestmark = pytest.mark.django_db


def test_bank_read_through_the_portal_is_logged(client, sme_owner, bank_a, officer_a):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    artefact = authorize(enterprise, institution=bank_a, purpose=Purpose.UNDERWRITING)
    client.force_login(officer_a)
    response = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc]))
    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.user, log.institution, log.authorization) == (officer_a, bank_a, artefact)
    assert log.channel == Channel.BACK_OFFICE
    assert set(log.categories) == set(artefact.categories)
    assert log.purpose == artefact.purpose


def test_a_matching_authorization_does_not_open_the_records(client, sme_owner, bank_a, officer_a):
    """融资对接 allows the judgement on leads, never the records themselves."""
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a, purpose=Purpose.MATCHING)
    client.force_login(officer_a)
    response = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc]))
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_unauthorized_bank_gets_404_and_no_data(client, sme_owner, bank_a, officer_b):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a)
    client.force_login(officer_b)
    response = client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc]))
    assert response.status_code == 404
    assert enterprise.name not in response.content.decode()


def test_sme_user_cannot_use_the_bank_view(client, sme_owner, other_sme_owner):
    _user, enterprise = sme_owner
    other_user, _ = other_sme_owner
    client.force_login(other_user)
    assert client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc])).status_code == 404


def test_own_reads_are_not_logged(client, sme_owner):
    user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    client.force_login(user)
    assert client.get(reverse("credit_data:profile", args=[enterprise.uscc])).status_code == 200
    assert not AccessLog.objects.exists()


def test_admin_read_is_logged_with_platform_grant(sme_owner, platform_admin):
    _user, enterprise = sme_owner
    authorize(enterprise, grantee_type=GranteeType.PLATFORM)
    credit_profile_for_viewer(viewer=platform_admin, enterprise=enterprise, channel=Channel.API)
    log = AccessLog.objects.get()
    assert log.user == platform_admin and log.channel == Channel.API


def test_sme_sees_who_looked(client, sme_owner, bank_a, officer_a):
    user, enterprise = sme_owner
    authorize(enterprise, institution=bank_a)
    credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)
    client.force_login(user)
    body = client.get(reverse("consent:access_log", args=[enterprise.uscc])).content.decode()
    assert bank_a.name in body
    assert str(officer_a) in body


def test_access_log_is_append_only(sme_owner, bank_a, officer_a):
    _user, enterprise = sme_owner
    authorize(enterprise, institution=bank_a)
    credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)
    log = AccessLog.objects.get()
    with pytest.raises(PermissionError):
        log.save()
    with pytest.raises(PermissionError):
        log.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().update(purpose="x")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.count() == 1
