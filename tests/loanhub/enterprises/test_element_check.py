"""企业要素核验: the legal representative's elements against the registration record,
attempts limited and audited (issue 12 §2a)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from loanhub.audit.models import AuditEvent, AuditKind, Outcome
from loanhub.enterprises.exceptions import VerificationLocked
from loanhub.enterprises.models import (
    EnterpriseMembership,
    MemberRole,
    VerificationAttempt,
    VerificationMethod,
    VerificationStatus,
)
from loanhub.enterprises.registry import (
    id_number_is_valid,
    registration_record_get,
    sandbox_registration_record,
)
from loanhub.enterprises.selectors import MAX_ELEMENT_ATTEMPTS
from loanhub.enterprises.verification import enterprise_verify_elements
from tests.factories.accounts import UserFactory
from tests.factories.enterprises import make_uscc

pytestmark = pytest.mark.django_db


def _right(enterprise) -> dict:
    record = registration_record_get(uscc=enterprise.uscc)
    return {"legal_representative": record.legal_representative, "id_number": record.id_number, "mobile": record.mobile}


def _wrong(enterprise) -> dict:
    right = _right(enterprise)
    first17 = "11010119800101001"
    from loanhub.enterprises.registry import id_check_character

    return {**right, "id_number": first17 + id_check_character(first17)}


def _check(user, enterprise, **elements):
    return enterprise_verify_elements(enterprise=enterprise, user=user, **elements)


def test_sandbox_registration_record_is_deterministic_synthetic_and_valid():
    code = make_uscc(4242)
    first, again = sandbox_registration_record(code, 2026), sandbox_registration_record(code, 2026)
    assert first == again
    assert first.synthetic
    assert id_number_is_valid(first.id_number)
    assert first.id_number[:6] == code[2:8]
    assert len(first.mobile) == 11 and first.mobile.startswith("1")
    assert sandbox_registration_record(make_uscc(4243), 2026) != first
    assert sandbox_registration_record(code, 7) != first


def test_no_registration_record_outside_the_sandbox(settings):
    settings.LOANHUB_SANDBOX_REGISTRY = False
    assert registration_record_get(uscc=make_uscc(1)) is None


def test_right_elements_verify_the_enterprise_and_are_audited_masked(sandbox_registry, pending_owner):
    user, enterprise = pending_owner
    elements = _right(enterprise)
    verified = _check(user, enterprise, **elements)
    enterprise.refresh_from_db()
    assert verified.is_verified and enterprise.is_verified
    assert enterprise.verification_method == VerificationMethod.ELEMENTS
    assert enterprise.verified_at is not None
    assert enterprise.legal_representative == elements["legal_representative"]
    assert enterprise.legal_rep_id_number == elements["id_number"]
    event = AuditEvent.objects.get(kind=AuditKind.ENTERPRISE_ELEMENTS_CHECKED)
    assert event.outcome == Outcome.SUCCESS and event.user == user
    assert event.details["result"] == "matched"
    assert elements["id_number"] not in str(event.details)
    assert elements["mobile"] not in str(event.details)
    assert event.details["id_number"].startswith(elements["id_number"][:4]) and "*" in event.details["id_number"]


def test_wrong_elements_fail_are_counted_and_audited(sandbox_registry, pending_owner):
    user, enterprise = pending_owner
    wrong = _wrong(enterprise)
    with pytest.raises(ValidationError) as caught:
        _check(user, enterprise, **wrong)
    assert "不一致" in caught.value.messages[0]
    assert f"还可尝试 {MAX_ELEMENT_ATTEMPTS - 1} 次" in caught.value.messages[0]
    enterprise.refresh_from_db()
    assert enterprise.verification_status == VerificationStatus.PENDING
    assert VerificationAttempt.objects.filter(enterprise=enterprise, succeeded=False).count() == 1
    event = AuditEvent.objects.get(kind=AuditKind.ENTERPRISE_ELEMENTS_CHECKED)
    assert event.outcome == Outcome.FAILURE
    assert event.details["mismatched"] == ["id_number"]
    assert wrong["id_number"] not in str(event.details)


@pytest.mark.parametrize("field", ["legal_representative", "mobile"])
def test_each_element_must_match(sandbox_registry, pending_owner, field):
    user, enterprise = pending_owner
    elements = {**_right(enterprise), field: "王某某" if field == "legal_representative" else "13000000000"}
    with pytest.raises(ValidationError):
        _check(user, enterprise, **elements)
    enterprise.refresh_from_db()
    assert not enterprise.is_verified


def test_five_failures_lock_checks_for_a_day_even_with_the_right_elements(sandbox_registry, pending_owner):
    user, enterprise = pending_owner
    for _ in range(MAX_ELEMENT_ATTEMPTS - 1):
        with pytest.raises(ValidationError):
            _check(user, enterprise, **_wrong(enterprise))
    with pytest.raises(VerificationLocked):  # the fifth failure locks
        _check(user, enterprise, **_wrong(enterprise))
    with pytest.raises(VerificationLocked) as caught:
        _check(user, enterprise, **_right(enterprise))
    first = VerificationAttempt.objects.order_by("at").first()
    expected = timezone.localtime(first.at + timedelta(hours=24)).strftime("%Y-%m-%d %H:%M")
    assert expected in caught.value.messages[0]
    enterprise.refresh_from_db()
    assert not enterprise.is_verified
    assert VerificationAttempt.objects.count() == MAX_ELEMENT_ATTEMPTS  # a locked try is not an attempt
    locked = AuditEvent.objects.filter(kind=AuditKind.ENTERPRISE_ELEMENTS_CHECKED).order_by("-pk").first()
    assert locked.outcome == Outcome.FAILURE and locked.details["result"] == "locked"
    # A day later the window has passed.
    VerificationAttempt.objects.update(at=timezone.now() - timedelta(hours=25))
    _check(user, enterprise, **_right(enterprise))
    enterprise.refresh_from_db()
    assert enterprise.is_verified


def test_without_a_registration_record_the_check_points_to_the_licence(settings, pending_owner):
    settings.LOANHUB_SANDBOX_REGISTRY = False
    user, enterprise = pending_owner
    with pytest.raises(ValidationError) as caught:
        _check(user, enterprise, legal_representative="王测试", id_number="440106198205170038", mobile="13800138001")
    assert "营业执照" in caught.value.messages[0]
    assert AuditEvent.objects.get(kind=AuditKind.ENTERPRISE_ELEMENTS_CHECKED).details["mismatched"] == ["no_record"]


def test_only_the_owner_may_verify(sandbox_registry, pending_owner):
    _owner, enterprise = pending_owner
    member = UserFactory(username="colleague")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=member, role=MemberRole.MEMBER)
    with pytest.raises(PermissionDenied):
        _check(member, enterprise, **_right(enterprise))
    assert not VerificationAttempt.objects.exists()


# ---------------------------------------------------------------------- pages


def test_verification_page_shows_the_sandbox_hint_to_the_owner(client, sandbox_registry, pending_owner):
    user, enterprise = pending_owner
    record = registration_record_get(uscc=enterprise.uscc)
    client.force_login(user)
    html = client.get(reverse("enterprises:verification", args=[enterprise.uscc])).content.decode()
    assert "沙箱演示" in html
    assert record.legal_representative in html and record.id_number in html and record.mobile in html


def test_no_sandbox_hint_outside_the_sandbox(client, settings, pending_owner):
    settings.LOANHUB_SANDBOX_REGISTRY = False
    user, enterprise = pending_owner
    record = sandbox_registration_record(enterprise.uscc, settings.LOANHUB_SANDBOX_SEED)
    client.force_login(user)
    html = client.get(reverse("enterprises:verification", args=[enterprise.uscc])).content.decode()
    assert "沙箱演示" not in html and record.id_number not in html


def test_portal_element_check_verifies_and_unlocks_the_profile(client, sandbox_registry, pending_owner):
    user, enterprise = pending_owner
    client.force_login(user)
    url = reverse("enterprises:verify_elements", args=[enterprise.uscc])
    wrong = client.post(url, _wrong(enterprise))
    assert wrong.status_code == 200 and "不一致" in wrong.content.decode()
    right = client.post(url, _right(enterprise))
    assert right.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.is_verified
    assert client.get(reverse("consent:index", args=[enterprise.uscc])).status_code == 200


def test_portal_form_checks_the_id_number_check_character(client, sandbox_registry, pending_owner):
    user, enterprise = pending_owner
    client.force_login(user)
    bad = {**_right(enterprise), "id_number": "110101198001010010"}
    if id_number_is_valid(bad["id_number"]):
        bad["id_number"] = "110101198001010011"
    response = client.post(reverse("enterprises:verify_elements", args=[enterprise.uscc]), bad)
    assert "校验位不正确" in response.content.decode()
    assert not VerificationAttempt.objects.exists()


def test_another_sme_cannot_open_the_verification_page(client, pending_owner, other_sme_owner):
    _user, enterprise = pending_owner
    other, _ = other_sme_owner
    client.force_login(other)
    assert client.get(reverse("enterprises:verification", args=[enterprise.uscc])).status_code == 404
    assert client.post(reverse("enterprises:verify_elements", args=[enterprise.uscc]), {}).status_code == 404
