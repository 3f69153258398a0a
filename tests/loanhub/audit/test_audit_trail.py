"""The audit trail: an entry for each event kind, append-only, retention, back office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from loanhub.accounts.models import Role
from loanhub.accounts.two_factor import backup_codes_generate, totp_current_code
from loanhub.audit.models import AuditEvent, AuditKind, Outcome
from loanhub.audit.services import audit_record
from loanhub.consent.models import GranteeType, Purpose
from loanhub.consent.services import authorization_grant, authorization_revoke
from loanhub.enterprises.models import MemberRole
from tests.factories.accounts import TEST_PASSWORD, UserFactory
from tests.factories.credit import authorize, import_rows, standard_records
from tests.factories.enterprises import MembershipFactory

pytestmark = pytest.mark.django_db
UA = "Mozilla/5.0 (audit test)"


def only(kind: str) -> AuditEvent:
    return AuditEvent.objects.get(kind=kind)


def login(client, username: str, password: str = TEST_PASSWORD, ip: str = "198.51.100.7"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password},
        REMOTE_ADDR=ip, HTTP_USER_AGENT=UA,
    )  # fmt: skip


def test_login_success_failure_and_logout_are_recorded_with_ip_and_agent(client):
    user = UserFactory(username="sme_user")
    login(client, "sme_user", "Wrong-pass-123")
    failed = only(AuditKind.LOGIN_FAILED)
    assert (failed.outcome, failed.username, failed.user) == (Outcome.FAILURE, "sme_user", None)
    assert (failed.ip_address, failed.user_agent) == ("198.51.100.7", UA)

    login(client, "sme_user")
    ok = only(AuditKind.LOGIN_SUCCEEDED)
    assert (ok.user, ok.outcome, ok.ip_address) == (user, Outcome.SUCCESS, "198.51.100.7")
    assert ok.at.utcoffset() == timedelta(0)  # stored and read back in UTC

    client.post("/accounts/logout/")
    assert only(AuditKind.LOGOUT).user == user


def test_lockout_is_recorded(client):
    UserFactory(username="victim")
    for _ in range(5):
        login(client, "victim", "Wrong-pass-123")
    event = only(AuditKind.LOCKOUT)
    assert (event.username, event.outcome, event.ip_address) == ("victim", Outcome.FAILURE, "198.51.100.7")


def test_second_factor_events_are_recorded(client):
    user = UserFactory(username="officer", role=Role.BANK_OFFICER)
    login(client, "officer")
    client.get(reverse("accounts:2fa_setup"))
    client.post(reverse("accounts:2fa_setup"), {"code": "000000"})
    assert only(AuditKind.OTP_FAILED).user == user
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    client.post(reverse("accounts:2fa_setup"), {"code": totp_current_code(device)})
    assert only(AuditKind.OTP_ENROLLED).user == user

    code = backup_codes_generate(user)[0]
    client.post("/accounts/logout/")
    login(client, "officer")
    client.post(reverse("accounts:2fa_verify"), {"code": code})
    verified = only(AuditKind.OTP_VERIFIED)
    assert verified.details == {"device": "backup_code"}

    client.post(reverse("accounts:2fa_manage"), {"action": "regenerate", "password": TEST_PASSWORD})
    assert only(AuditKind.BACKUP_CODES_REGENERATED).user == user
    client.post(reverse("accounts:2fa_manage"), {"action": "reset", "password": TEST_PASSWORD})
    assert only(AuditKind.OTP_RESET).user == user


def test_permission_refusals_are_recorded(client):
    member = MembershipFactory(role=MemberRole.MEMBER)
    client.force_login(member.user)
    url = reverse("consent:new", args=[member.enterprise.uscc])
    assert client.get(url).status_code == 403
    event = only(AuditKind.PERMISSION_DENIED)
    assert (event.user, event.path, event.outcome) == (member.user, url, Outcome.FAILURE)
    assert event.details == {"method": "GET"}


def test_signing_and_revoking_an_authorization_are_recorded(sme_owner, bank_a):
    user, enterprise = sme_owner
    artefact = authorization_grant(
        enterprise=enterprise, user=user, password=TEST_PASSWORD,
        grantee_type=GranteeType.INSTITUTION, institution=bank_a, purpose=Purpose.MATCHING,
        categories=["tax_rating"], data_from=timezone.localdate() - timedelta(days=365),
        expires_at=timezone.now() + timedelta(days=90),
    )  # fmt: skip
    signed = only(AuditKind.AUTHORIZATION_SIGNED)
    assert (signed.user, signed.object_type, signed.object_id) == (user, "consent.authorization", str(artefact.pk))
    authorization_revoke(authorization=artefact, user=user)
    revoked = only(AuditKind.AUTHORIZATION_REVOKED)
    assert (revoked.user, revoked.object_id) == (user, str(artefact.pk))


def test_a_bank_read_of_credit_data_is_recorded(client, sme_owner, bank_a, officer_a):
    _user, enterprise = sme_owner
    standard_records(enterprise.uscc)
    authorize(enterprise, institution=bank_a, purpose=Purpose.UNDERWRITING)  # records need underwriting
    client.force_login(officer_a)
    client.get(reverse("credit_data:bank_profile", args=[enterprise.uscc]), REMOTE_ADDR="192.0.2.44")
    event = only(AuditKind.CREDIT_DATA_READ)
    assert (event.user, event.object_type, event.object_id) == (officer_a, "enterprises.enterprise", str(enterprise.pk))
    assert event.ip_address == "192.0.2.44"  # the request reached the service's record
    assert event.details["channel"] == "back_office"


def test_model_activation_is_recorded(active_model):
    event = only(AuditKind.MODEL_ACTIVATED)
    assert (event.object_type, event.object_id) == ("scoring.modelversion", str(active_model.pk))


def test_imports_are_recorded_with_their_outcome():
    from loanhub.credit_data.exceptions import ImportFileError
    from loanhub.credit_data.services import credit_records_import

    batch = import_rows(
        "tax_rating", [{"uscc": "91440300708461136T", "record_date": "2025-04-01", "year": 2024, "grade": "A"}]
    )
    event = only(AuditKind.CREDIT_IMPORT)
    assert (event.outcome, event.object_id, event.details["loaded"]) == (Outcome.SUCCESS, str(batch.pk), 1)
    with pytest.raises(ImportFileError):
        credit_records_import(data=b"no,columns\n1,2\n", file_name="bad.csv", category="tax_rating")
    failed = AuditEvent.objects.filter(kind=AuditKind.CREDIT_IMPORT, outcome=Outcome.FAILURE).get()
    assert failed.details["error"]


def test_lead_decisions_have_a_kind_for_the_matching_app(sme_owner):
    user, enterprise = sme_owner
    event = audit_record(kind=AuditKind.LEAD_DECISION, user=user, obj=enterprise, decision="approved")
    assert event.details == {"decision": "approved"}


def test_the_trail_is_append_only(sme_owner):
    user, _enterprise = sme_owner
    event = audit_record(kind=AuditKind.LOGOUT, user=user)
    event.kind = AuditKind.LOGIN_SUCCEEDED
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(kind=AuditKind.LOGIN_FAILED)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().kind == AuditKind.LOGOUT


def test_prune_refuses_less_than_a_year_and_keeps_recent_events(sme_owner):
    user, _enterprise = sme_owner
    old = AuditEvent.objects.create(kind=AuditKind.LOGOUT, user=user, at=timezone.now() - timedelta(days=800))
    recent = AuditEvent.objects.create(kind=AuditKind.LOGOUT, user=user, at=timezone.now() - timedelta(days=300))
    with pytest.raises(CommandError, match="at least 365"):
        call_command("prune_audit", "--older-than-days", "364")
    assert AuditEvent.objects.count() == 2
    call_command("prune_audit", "--older-than-days", "730")
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert old.pk not in remaining and recent.pk in remaining
    assert AuditEvent.objects.filter(kind=AuditKind.AUDIT_PRUNED).exists()


# -- back office ---------------------------------------------------------------


@pytest.fixture
def admin_client(client, platform_admin):
    platform_admin.is_superuser = True  # Wagtail admin access, as demo_admin has
    platform_admin.save()
    client.force_login(platform_admin)
    return client


def test_admins_filter_and_page_through_the_trail(admin_client, sme_owner):
    user, _enterprise = sme_owner
    for _ in range(55):
        audit_record(kind=AuditKind.LOGIN_FAILED, outcome=Outcome.FAILURE, username="intruder")
    audit_record(kind=AuditKind.LOGOUT, user=user)
    old = AuditEvent.objects.create(
        kind=AuditKind.LOGOUT, user=user, username=user.username, at=timezone.now() - timedelta(days=40)
    )

    page = admin_client.get(reverse("audit_admin:index"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count >= 57
    assert len(page.context["page"].object_list) == 50

    filtered = admin_client.get(reverse("audit_admin:index"), {"kind": "logout", "username": user.username})
    assert {e.pk for e in filtered.context["page"].object_list} == {
        e.pk for e in AuditEvent.objects.filter(kind="logout", username=user.username)
    }
    day = (timezone.localdate() - timedelta(days=40)).isoformat()
    by_date = admin_client.get(reverse("audit_admin:index"), {"date_from": day, "date_to": day})
    assert [e.pk for e in by_date.context["page"].object_list] == [old.pk]
    failures = admin_client.get(reverse("audit_admin:index"), {"outcome": "failure", "kind": "login_failed"})
    assert failures.context["page"].paginator.count == 55


def test_admins_export_the_filtered_trail_as_csv(admin_client):
    audit_record(kind=AuditKind.LOGIN_FAILED, outcome=Outcome.FAILURE, username="intruder")
    audit_record(kind=AuditKind.LOGOUT)
    response = admin_client.get(reverse("audit_admin:export"), {"kind": "login_failed"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("at_utc,kind,outcome,username")
    assert len(lines) == 2 and "intruder" in lines[1] and "+00:00" in lines[1]


def test_the_audit_page_is_for_platform_admins_only(client, officer_a, admin_client):
    menu = admin_client.get("/cms-admin/").content.decode()
    assert reverse("audit_admin:index") in menu
    client.force_login(officer_a)
    response = client.get(reverse("audit_admin:index"))
    assert response.status_code in (302, 403)
    assert reverse("audit_admin:index") not in client.get("/cms-admin/").content.decode()
