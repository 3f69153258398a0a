from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from loanhub.accounts.models import Notification
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.selectors import credit_profile_for_viewer
from loanhub.disputes.models import Objection, ObjectionStatus, RepairStatus
from loanhub.disputes.services import objection_raise, objection_resolve, repair_apply, repair_decide
from loanhub.scoring.models import ScoreRecord, Trigger
from tests.factories.credit import authorize, import_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def penalty_record(sme_owner):
    _user, enterprise = sme_owner
    decided = timezone.localdate() - timedelta(days=150)
    import_rows(
        "penalty",
        [
            {
                "uscc": enterprise.uscc,
                "record_date": decided.isoformat(),
                "issuer": "市场监督管理局",
                "severity": "一般",
                "fine_amount": 3000,
            }
        ],
    )
    return CreditRecord.objects.get(uscc=enterprise.uscc, category="penalty")


def proof() -> SimpleUploadedFile:
    return SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", content_type="application/pdf")


def test_objection_marks_the_record_and_sets_a_20_day_deadline(sme_owner, penalty_record, bank_a, officer_a):
    user, enterprise = sme_owner
    objection = objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="金额有误")
    assert objection.due_date == timezone.localdate() + timedelta(days=20)
    assert not objection.is_overdue()
    assert objection.is_overdue(today=timezone.localdate() + timedelta(days=21))
    assert not objection.is_overdue(today=timezone.localdate() + timedelta(days=20))
    authorize(enterprise, institution=bank_a, categories=["penalty"])
    profile = credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise)
    assert profile.sections[0].records[0].under_objection  # banks see "under objection"


def test_second_open_objection_on_a_record_is_refused(sme_owner, penalty_record):
    user, enterprise = sme_owner
    objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="有误")
    with pytest.raises(ValidationError):
        objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="再次")
    assert Objection.objects.count() == 1


def test_another_enterprise_cannot_object_to_my_record(sme_owner, other_sme_owner, penalty_record):
    other_user, other = other_sme_owner
    with pytest.raises(PermissionDenied):
        objection_raise(user=other_user, enterprise=other, record=penalty_record, reason="x")


def test_correction_updates_the_record_and_notifies(
    sme_owner, penalty_record, platform_admin, active_model, django_capture_on_commit_callbacks
):
    user, enterprise = sme_owner
    objection = objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="应为轻微")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        objection = objection_resolve(
            objection=objection, admin=platform_admin, outcome=ObjectionStatus.CORRECTED,
            answer="经核实，处罚等级应为轻微，已更正。", corrected_payload={"severity": "轻微"},
        )  # fmt: skip
    penalty_record.refresh_from_db()
    assert penalty_record.payload["severity"] == "轻微"
    assert not penalty_record.under_objection
    assert objection.status == ObjectionStatus.CORRECTED
    assert Notification.objects.filter(user=user, title__contains="已更正").exists()
    assert any("已更正" in m.subject for m in mail.outbox)


def test_correction_triggers_rescoring(
    sme_owner, penalty_record, platform_admin, active_model, django_capture_on_commit_callbacks
):
    user, enterprise = sme_owner
    objection = objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="应为轻微")
    with django_capture_on_commit_callbacks(execute=True):
        objection_resolve(
            objection=objection, admin=platform_admin, outcome=ObjectionStatus.REMOVED, answer="已删除",
        )  # fmt: skip
    score = ScoreRecord.objects.get(enterprise=enterprise)
    assert score.trigger == Trigger.CORRECTION
    assert score.features["penalty_count_12m"] == 0


def test_invalid_correction_is_refused_and_changes_nothing(sme_owner, penalty_record, platform_admin):
    user, enterprise = sme_owner
    objection = objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="x")
    with pytest.raises(ValidationError):
        objection_resolve(
            objection=objection,
            admin=platform_admin,
            outcome=ObjectionStatus.CORRECTED,
            answer="x",
            corrected_payload={"severity": "极重"},
        )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    penalty_record.refresh_from_db()
    assert penalty_record.payload["severity"] == "一般"


def test_only_admins_resolve_and_only_once(sme_owner, penalty_record, platform_admin):
    user, enterprise = sme_owner
    objection = objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="x")
    with pytest.raises(PermissionDenied):
        objection_resolve(objection=objection, admin=user, outcome=ObjectionStatus.UPHELD, answer="x")
    objection_resolve(objection=objection, admin=platform_admin, outcome=ObjectionStatus.UPHELD, answer="维持")
    with pytest.raises(ValidationError):
        objection_resolve(objection=objection, admin=platform_admin, outcome=ObjectionStatus.REMOVED, answer="again")


def test_removed_record_leaves_bank_view_but_stays_in_history(
    sme_owner, penalty_record, platform_admin, bank_a, officer_a
):
    user, enterprise = sme_owner
    objection = objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="不是我们")
    objection_resolve(objection=objection, admin=platform_admin, outcome=ObjectionStatus.REMOVED, answer="已删除")
    authorize(enterprise, institution=bank_a, categories=["penalty"])
    assert credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise).record_count == 0
    own = credit_profile_for_viewer(viewer=user, enterprise=enterprise)
    assert [r.pk for r in own.history] == [penalty_record.pk]


def test_repair_after_the_minimum_period_then_approval_stops_counting(
    sme_owner, penalty_record, platform_admin, bank_a, officer_a
):
    user, enterprise = sme_owner
    repair = repair_apply(
        user=user, enterprise=enterprise, record=penalty_record,
        corrected_on=timezone.localdate() - timedelta(days=10), proof=proof(), commitment_confirmed=True,
    )  # fmt: skip
    assert repair.commitment_text and repair.commitment_signed_at
    repair_decide(repair=repair, admin=platform_admin, approve=True)
    penalty_record.refresh_from_db()
    assert penalty_record.repaired_on == timezone.localdate()
    authorize(enterprise, institution=bank_a, categories=["penalty"])
    assert credit_profile_for_viewer(viewer=officer_a, enterprise=enterprise).record_count == 0


def test_repair_before_the_minimum_period_is_refused(sme_owner):
    user, enterprise = sme_owner
    import_rows(
        "penalty",
        [
            {
                "uscc": enterprise.uscc,
                "record_date": (timezone.localdate() - timedelta(days=30)).isoformat(),
                "issuer": "局",
                "severity": "一般",
                "fine_amount": 1,
            }
        ],
    )
    record = CreditRecord.objects.get(uscc=enterprise.uscc)
    with pytest.raises(ValidationError, match="最短公示期"):
        repair_apply(
            user=user,
            enterprise=enterprise,
            record=record,
            corrected_on=timezone.localdate(),
            proof=proof(),
            commitment_confirmed=True,
        )


def test_repair_needs_proof_and_commitment(sme_owner, penalty_record):
    user, enterprise = sme_owner
    with pytest.raises(ValidationError) as exc:
        repair_apply(
            user=user,
            enterprise=enterprise,
            record=penalty_record,
            corrected_on=timezone.localdate(),
            proof=None,
            commitment_confirmed=False,
        )
    assert {"proof", "commitment_confirmed"} <= set(exc.value.message_dict)


def test_rejection_needs_a_reason(sme_owner, penalty_record, platform_admin):
    user, enterprise = sme_owner
    repair = repair_apply(
        user=user,
        enterprise=enterprise,
        record=penalty_record,
        corrected_on=timezone.localdate(),
        proof=proof(),
        commitment_confirmed=True,
    )
    with pytest.raises(ValidationError):
        repair_decide(repair=repair, admin=platform_admin, approve=False)
    repair_decide(repair=repair, admin=platform_admin, approve=False, reason="证明材料不清晰")
    repair.refresh_from_db()
    assert repair.status == RepairStatus.REJECTED


def test_sme_raises_an_objection_through_the_portal(client, sme_owner, penalty_record):
    user, enterprise = sme_owner
    client.force_login(user)
    url = reverse("disputes:objection_new", args=[enterprise.uscc, penalty_record.pk])
    response = client.post(url, {"reason": "处罚已撤销"})
    assert response.status_code == 302
    assert Objection.objects.get().reason == "处罚已撤销"
    body = client.get(reverse("disputes:index", args=[enterprise.uscc])).content.decode()
    assert "处理中" in body


def test_admin_sees_overdue_objections_flagged(client, sme_owner, penalty_record, platform_admin):
    user, enterprise = sme_owner
    objection = objection_raise(user=user, enterprise=enterprise, record=penalty_record, reason="x")
    Objection.objects.filter(pk=objection.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    platform_admin.is_superuser = True
    platform_admin.save()
    client.force_login(platform_admin)
    body = client.get(reverse("disputes_admin:index")).content.decode()
    assert "已超期" in body
