"""A verified enterprise's owner adds colleagues (existing SME users) as members."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from loanhub.accounts.models import Notification, Role
from loanhub.audit.models import AuditEvent, AuditKind
from loanhub.enterprises.exceptions import EnterpriseNotVerified
from loanhub.enterprises.models import EnterpriseMembership, MemberRole
from loanhub.enterprises.verification import enterprise_member_invite
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_owner_adds_a_colleague_by_username_or_email(client, sme_owner):
    owner, enterprise = sme_owner
    by_name = UserFactory(username="colleague1")
    by_mail = UserFactory(username="colleague2", email="Li.Si@Example.com")
    client.force_login(owner)
    url = reverse("enterprises:member_invite", args=[enterprise.uscc])
    assert client.post(url, {"identifier": "colleague1"}).status_code == 302
    assert client.post(url, {"identifier": "li.si@example.com"}).status_code == 302
    roles = dict(enterprise.memberships.values_list("user__username", "role"))
    assert roles == {owner.username: MemberRole.OWNER, "colleague1": MemberRole.MEMBER, "colleague2": MemberRole.MEMBER}
    assert AuditEvent.objects.filter(kind=AuditKind.ENTERPRISE_MEMBER_ADDED).count() == 2
    assert Notification.objects.filter(user__in=[by_name, by_mail], title__contains=enterprise.name).count() == 2
    # The colleague now opens the enterprise's pages.
    client.force_login(by_name)
    assert client.get(reverse("enterprises:detail", args=[enterprise.uscc])).status_code == 200


def test_an_unverified_owner_cannot_invite(client, pending_owner):
    owner, enterprise = pending_owner
    UserFactory(username="colleague1")
    with pytest.raises(EnterpriseNotVerified):
        enterprise_member_invite(enterprise=enterprise, owner=owner, identifier="colleague1")
    client.force_login(owner)
    response = client.post(reverse("enterprises:member_invite", args=[enterprise.uscc]), {"identifier": "colleague1"})
    assert response.status_code == 200 and "尚未完成认证" in response.content.decode()
    assert enterprise.memberships.count() == 1


def test_a_member_who_is_not_owner_cannot_invite(sme_owner):
    _owner, enterprise = sme_owner
    member = UserFactory(username="member1")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=member, role=MemberRole.MEMBER)
    UserFactory(username="colleague1")
    with pytest.raises(PermissionDenied):
        enterprise_member_invite(enterprise=enterprise, owner=member, identifier="colleague1")


@pytest.mark.parametrize("identifier", ["nobody", "officer_x", "owner_a"])
def test_unknown_bank_or_existing_users_are_refused(sme_owner, identifier):
    owner, enterprise = sme_owner
    UserFactory(username="officer_x", role=Role.BANK_OFFICER)
    with pytest.raises(ValidationError):
        enterprise_member_invite(enterprise=enterprise, owner=owner, identifier=identifier)
    assert enterprise.memberships.count() == 1


def test_the_owner_sees_the_invite_form_only_once_verified(client, sme_owner, pending_owner):
    for owner, enterprise, shown in ((*sme_owner, True), (*pending_owner, False)):
        client.force_login(owner)
        html = client.get(reverse("enterprises:detail", args=[enterprise.uscc])).content.decode()
        assert (reverse("enterprises:member_invite", args=[enterprise.uscc]) in html) is shown
