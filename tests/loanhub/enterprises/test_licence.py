"""Business-licence upload, private serving and the back-office review queue
(issue 12 §2b)."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from loanhub.accounts.models import Notification, Role
from loanhub.audit.models import AuditEvent, AuditKind, Outcome
from loanhub.enterprises.models import (
    BusinessLicence,
    EnterpriseMembership,
    LicenceStatus,
    MemberRole,
    VerificationMethod,
    VerificationStatus,
)
from loanhub.enterprises.storage import private_root, private_storage
from loanhub.enterprises.verification import (
    MAX_LICENCE_BYTES,
    licence_approve,
    licence_reject,
    licence_upload,
)
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import MembershipFactory, PendingEnterpriseFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(
    name: str = "营业执照.png", data: bytes | None = None, content_type: str = "image/png"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type=content_type)


@pytest.fixture
def licence(pending_owner):
    user, enterprise = pending_owner
    return licence_upload(enterprise=enterprise, user=user, upload=upload())


# -------------------------------------------------------------------- upload


def test_upload_is_stored_under_a_random_name_and_audited(pending_owner, licence_storage):
    user, enterprise = pending_owner
    first = licence_upload(enterprise=enterprise, user=user, upload=upload())
    second = licence_upload(enterprise=enterprise, user=user, upload=upload("scan.pdf", PDF, "application/pdf"))
    assert first.file.name.startswith("licences/") and first.file.name.endswith(".png")
    assert "营业执照" not in first.file.name
    assert len(first.file.name.split("/")[-1]) == 32 + 4
    assert first.file.name != second.file.name
    assert licence_storage.exists(first.file.name)
    assert second.content_type == "application/pdf" and second.status == LicenceStatus.PENDING
    first.refresh_from_db()
    assert first.status == LicenceStatus.SUPERSEDED  # the newer upload replaces a pending one
    events = AuditEvent.objects.filter(kind=AuditKind.LICENCE_UPLOADED)
    assert events.count() == 2 and events.first().details["uscc"] == enterprise.uscc


def test_upload_is_size_bounded(pending_owner):
    user, enterprise = pending_owner
    big = png_bytes() + b"\0" * MAX_LICENCE_BYTES
    with pytest.raises(ValidationError) as caught:
        licence_upload(enterprise=enterprise, user=user, upload=upload(data=big))
    assert "5MB" in str(caught.value)
    with pytest.raises(ValidationError):
        licence_upload(enterprise=enterprise, user=user, upload=upload(data=b""))
    assert not BusinessLicence.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("licence.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("licence.pdf", b"MZ\x90\x00\x03" + b"\0" * 100, "application/pdf"),
        ("licence.gif", b"GIF89a" + b"\0" * 50, "image/gif"),
    ],
)
def test_upload_content_type_is_checked_from_the_bytes(pending_owner, name, data, content_type):
    user, enterprise = pending_owner
    with pytest.raises(ValidationError) as caught:
        licence_upload(enterprise=enterprise, user=user, upload=upload(name, data, content_type))
    assert "JPG、PNG" in str(caught.value)
    assert not BusinessLicence.objects.exists()


def test_only_the_owner_uploads_and_not_once_verified(pending_owner, sme_owner):
    owner, enterprise = pending_owner
    member = UserFactory(username="colleague")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=member, role=MemberRole.MEMBER)
    with pytest.raises(PermissionDenied):
        licence_upload(enterprise=enterprise, user=member, upload=upload())
    verified_owner, verified = sme_owner
    with pytest.raises(ValidationError):
        licence_upload(enterprise=verified, user=verified_owner, upload=upload())
    assert not BusinessLicence.objects.exists()


def test_portal_upload_and_a_refused_type(client, pending_owner):
    user, enterprise = pending_owner
    client.force_login(user)
    url = reverse("enterprises:upload_licence", args=[enterprise.uscc])
    refused = client.post(url, {"file": upload("x.png", b"not an image at all", "image/png")})
    assert refused.status_code == 200 and "JPG、PNG" in refused.content.decode()
    assert client.post(url, {"file": upload()}).status_code == 302
    assert BusinessLicence.objects.get().enterprise == enterprise


# ------------------------------------------------------------------- serving


def test_licence_is_not_stored_under_media_root_and_has_no_url(settings):
    assert not str(private_root()).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        private_storage().url("licences/x.png")


def test_members_and_admins_get_the_file_others_a_404(
    client, licence, pending_owner, other_sme_owner, officer_a, platform_admin
):
    owner, enterprise = pending_owner
    member = UserFactory(username="colleague")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=member, role=MemberRole.MEMBER)
    url = reverse("enterprises:licence_file", args=[enterprise.uscc, licence.pk])
    for user in (owner, member, platform_admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == licence.file.open("rb").read()
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "inline" in response["Content-Disposition"]
    for user in (other_sme_owner[0], officer_a):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    # The licence of one enterprise is not reachable under another's code either.
    client.force_login(other_sme_owner[0])
    other_url = reverse("enterprises:licence_file", args=[other_sme_owner[1].uscc, licence.pk])
    assert client.get(other_url).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, licence, pending_owner):
    _owner, enterprise = pending_owner
    response = client.get(reverse("enterprises:licence_file", args=[enterprise.uscc, licence.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -------------------------------------------------------------- back office


def test_queue_lists_pending_licences_with_pagination_for_admins_only(client, platform_admin, officer_a):
    for n in range(23):
        membership = MembershipFactory(user=UserFactory(username=f"sme{n}"), enterprise=PendingEnterpriseFactory())
        licence_upload(enterprise=membership.enterprise, user=membership.user, upload=upload())
    decided = BusinessLicence.objects.order_by("pk").first()
    licence_reject(licence=decided, admin=platform_admin, reason="不清晰")
    client.force_login(platform_admin)
    first = client.get(reverse("enterprises_admin:index"))
    assert first.status_code == 200
    assert first.context["page"].paginator.count == 22
    assert len(first.context["page"].object_list) == 20
    assert decided.enterprise.name not in first.content.decode()
    second = client.get(reverse("enterprises_admin:index") + "?page=2")
    assert len(second.context["page"].object_list) == 2
    everything = client.get(reverse("enterprises_admin:index") + "?all=1")
    assert everything.context["page"].paginator.count == 23
    client.force_login(officer_a)
    refused = client.get(reverse("enterprises_admin:index"))
    assert refused.status_code in (302, 403)
    assert "page" not in (refused.context or {})


def test_admin_sees_the_licence_and_approves_it(
    client, licence, pending_owner, platform_admin, django_capture_on_commit_callbacks
):
    owner, enterprise = pending_owner
    client.force_login(platform_admin)
    page = client.get(reverse("enterprises_admin:licence", args=[licence.pk]))
    assert page.status_code == 200
    assert reverse("enterprises:licence_file", args=[enterprise.uscc, licence.pk]) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enterprises_admin:decide", args=[licence.pk]), {"decision": "approve"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    licence.refresh_from_db()
    assert enterprise.is_verified and enterprise.verification_method == VerificationMethod.LICENCE
    assert licence.status == LicenceStatus.APPROVED and licence.reviewed_by == platform_admin
    event = AuditEvent.objects.get(kind=AuditKind.LICENCE_APPROVED)
    assert event.user == platform_admin and event.details["uscc"] == enterprise.uscc
    note = Notification.objects.get(user=owner)
    assert "认证已通过" in note.title
    assert any("认证已通过" in m.subject and owner.email in m.to for m in mail.outbox)


def test_admin_rejects_with_a_reason_and_the_sme_is_told(
    client, licence, pending_owner, platform_admin, django_capture_on_commit_callbacks
):
    owner, enterprise = pending_owner
    client.force_login(platform_admin)
    url = reverse("enterprises_admin:decide", args=[licence.pk])
    no_reason = client.post(url, {"decision": "reject", "reason": " "})
    assert no_reason.status_code == 200
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "reject", "reason": "照片模糊，看不清统一社会信用代码"})
    licence.refresh_from_db()
    enterprise.refresh_from_db()
    assert licence.status == LicenceStatus.REJECTED
    assert enterprise.verification_status == VerificationStatus.REJECTED and not enterprise.is_verified
    event = AuditEvent.objects.get(kind=AuditKind.LICENCE_REJECTED)
    assert event.outcome == Outcome.FAILURE and "照片模糊" in event.details["reason"]
    note = Notification.objects.get(user=owner)
    assert "照片模糊" in note.body
    assert any("照片模糊" in m.body for m in mail.outbox)
    # The SME sees the reason and may upload again: back to pending.
    client.force_login(owner)
    assert "照片模糊" in client.get(reverse("enterprises:verification", args=[enterprise.uscc])).content.decode()
    licence_upload(enterprise=enterprise, user=owner, upload=upload())
    enterprise.refresh_from_db()
    assert enterprise.verification_status == VerificationStatus.PENDING


def test_a_decided_licence_cannot_be_decided_again_and_only_admins_decide(licence, platform_admin, officer_a):
    with pytest.raises(PermissionDenied):
        licence_approve(licence=licence, admin=officer_a)
    sme = UserFactory(username="sneaky", role=Role.SME)
    with pytest.raises(PermissionDenied):
        licence_approve(licence=licence, admin=sme)
    licence_approve(licence=licence, admin=platform_admin)
    with pytest.raises(ValidationError):
        licence_reject(licence=licence, admin=platform_admin, reason="晚了")


def test_the_django_admin_cannot_flip_verification_unaudited(client, pending_owner):
    from loanhub.accounts.models import User

    _owner, enterprise = pending_owner
    superuser = User.objects.create_superuser(username="root", password="x-Password-2026", role=Role.PLATFORM_ADMIN)
    client.force_login(superuser)
    url = reverse("admin:enterprises_enterprise_change", args=[enterprise.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="verification_status"' not in page.content.decode()
