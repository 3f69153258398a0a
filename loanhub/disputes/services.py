"""Objections and credit repair: raising, resolving, deciding."""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import Role, User
from loanhub.accounts.services import notify
from loanhub.consent.models import Channel
from loanhub.consent.services import access_log_record
from loanhub.credit_data.models import CreditRecord
from loanhub.credit_data.rules import repair_eligibility
from loanhub.credit_data.schema import column_names
from loanhub.credit_data.validation import validate_frame
from loanhub.enterprises.models import Enterprise
from loanhub.scoring.models import Trigger
from loanhub.scoring.services import rescore_safely
from loanhub.security.fields import Sealed

from .models import Objection, ObjectionStatus, RepairRequest, RepairStatus

COMMITMENT_TEXT = (
    "本企业郑重承诺：已依法履行行政处罚决定规定的义务并完成整改；所提交材料真实、完整；"
    "今后严格遵守法律法规，诚信经营。如有虚假，愿意承担相应法律责任，并同意将本承诺的履行"
    "情况纳入信用记录。"
)


def _require_member(user: User, enterprise: Enterprise) -> None:
    if not (user.is_sme and enterprise.memberships.filter(user=user).exists()):
        raise PermissionDenied(_("您不是该企业的成员。"))


def _require_admin(user: User) -> None:
    if not (user.is_platform_admin or user.is_superuser):
        raise PermissionDenied(_("只有平台管理员可以处理。"))


def _record_of(enterprise: Enterprise, record: CreditRecord) -> None:
    if record.uscc != enterprise.uscc:
        raise PermissionDenied(_("该记录不属于本企业。"))


def _tell_enterprise(enterprise: Enterprise, title: str, body: str, link: str) -> None:
    for membership in enterprise.memberships.select_related("user"):
        notify(user=membership.user, title=title, body=body, link=link)


def _tell_admins(title: str, link: str) -> None:
    for admin in User.objects.filter(role=Role.PLATFORM_ADMIN, is_active=True):
        notify(user=admin, title=title, link=link)


@transaction.atomic
def objection_raise(
    *,
    user: User,
    enterprise: Enterprise,
    record: CreditRecord,
    reason: str,
    attachment: UploadedFile | None = None,
) -> Objection:
    _require_member(user, enterprise)
    _record_of(enterprise, record)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明异议理由。")})
    if Objection.objects.filter(record=record, status=ObjectionStatus.OPEN).exists():
        raise ValidationError(_("该记录已有处理中的异议，请等待答复。"))
    today = timezone.localdate()
    objection = Objection(
        enterprise=enterprise, record=record, raised_by=user, reason=reason.strip(),
        due_date=Objection.due_from(today),
    )  # fmt: skip
    if attachment:
        objection.attachment = attachment
    objection.full_clean()
    objection.save()
    CreditRecord.objects.filter(pk=record.pk).update(under_objection=True)
    _tell_admins(_("新的信用异议：%(name)s") % {"name": enterprise.name}, "/cms-admin/disputes/")
    return objection


def _validated_payload(record: CreditRecord, corrected: dict) -> tuple[dict, str]:
    row = {"uscc": record.uscc, "record_date": record.record_date.isoformat()}
    row.update({k: "" if v is None else str(v) for k, v in {**record.payload, **corrected}.items()})
    frame = pd.DataFrame([row]).reindex(columns=column_names(record.category), fill_value="")
    checked = validate_frame(frame.astype(str), record.category, first_row=1)
    if len(checked.rejected):
        raise ValidationError({"corrected_payload": checked.rejected.iloc[0]["reason"]})
    good = checked.good.iloc[0]
    return good["payload"], good["payload_hash"]


@transaction.atomic
def objection_resolve(
    *,
    objection: Objection,
    admin: User,
    outcome: str,
    answer: str,
    corrected_payload: dict | None = None,
) -> Objection:
    """Answer an objection in writing: corrected, removed or upheld."""
    _require_admin(admin)
    if outcome not in (ObjectionStatus.CORRECTED, ObjectionStatus.REMOVED, ObjectionStatus.UPHELD):
        raise ValidationError({"outcome": _("请选择处理结果。")})
    if not answer.strip():
        raise ValidationError({"answer": _("请填写书面答复。")})
    record = CreditRecord.objects.select_for_update().get(pk=objection.record_id)
    if outcome == ObjectionStatus.CORRECTED:
        if not corrected_payload:
            raise ValidationError({"corrected_payload": _("请填写更正后的内容。")})
        record.payload, record.payload_hash = _validated_payload(record, corrected_payload)
    elif outcome == ObjectionStatus.REMOVED:
        record.removed_at = timezone.now()
    if corrected_payload and record.is_sensitive:
        corrected_payload = Sealed(corrected_payload)  # a corrected tax amount is sensitive too
    updated = Objection.objects.filter(pk=objection.pk, status=ObjectionStatus.OPEN).update(
        status=outcome, answer=answer.strip(), corrected_payload=corrected_payload,
        resolved_by=admin, resolved_at=timezone.now(),
    )  # fmt: skip
    if not updated:
        raise ValidationError(_("该异议已被处理。"))
    record.under_objection = False
    record.save(update_fields=["payload", "payload_hash", "removed_at", "under_objection", "updated_at"])
    objection.refresh_from_db()
    access_log_record(
        enterprise=objection.enterprise, user=admin, categories=[record.category],
        purpose="objection", channel=Channel.BACK_OFFICE, detail=f"objection #{objection.pk}",
    )  # fmt: skip
    if outcome != ObjectionStatus.UPHELD:
        transaction.on_commit(lambda: rescore_safely(objection.enterprise, Trigger.CORRECTION))
    _tell_enterprise(
        objection.enterprise,
        _("您的信用异议已处理：%(outcome)s") % {"outcome": objection.get_status_display()},
        objection.answer,
        f"/enterprises/{objection.enterprise.uscc}/objections/",
    )
    return objection


@transaction.atomic
def repair_apply(
    *,
    user: User,
    enterprise: Enterprise,
    record: CreditRecord,
    corrected_on: date,
    proof: UploadedFile | None,
    commitment_confirmed: bool,
) -> RepairRequest:
    _require_member(user, enterprise)
    _record_of(enterprise, record)
    today = timezone.localdate()
    check = repair_eligibility(record, today)
    if not check.allowed:
        raise ValidationError(check.reason)
    errors = {}
    if corrected_on > today or corrected_on < record.record_date:
        errors["corrected_on"] = _("整改完成日期应在处罚决定日期之后、今天之前。")
    if not proof:
        errors["proof"] = _("请上传整改完成的证明材料。")
    if not commitment_confirmed:
        errors["commitment_confirmed"] = _("信用修复需要签署信用承诺书。")
    if errors:
        raise ValidationError(errors)
    if RepairRequest.objects.filter(record=record, status=RepairStatus.PENDING).exists():
        raise ValidationError(_("该记录已有审核中的修复申请。"))
    repair = RepairRequest(
        enterprise=enterprise, record=record, applicant=user, corrected_on=corrected_on,
        proof=proof, commitment_text=COMMITMENT_TEXT, commitment_signed_at=timezone.now(),
    )  # fmt: skip
    repair.full_clean()
    repair.save()
    _tell_admins(_("新的信用修复申请：%(name)s") % {"name": enterprise.name}, "/cms-admin/disputes/")
    return repair


@transaction.atomic
def repair_decide(*, repair: RepairRequest, admin: User, approve: bool, reason: str = "") -> RepairRequest:
    _require_admin(admin)
    if not approve and not reason.strip():
        raise ValidationError({"decision_reason": _("驳回时请说明原因。")})
    status = RepairStatus.APPROVED if approve else RepairStatus.REJECTED
    updated = RepairRequest.objects.filter(pk=repair.pk, status=RepairStatus.PENDING).update(
        status=status, decision_reason=reason.strip(), decided_by=admin, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("该申请已被处理。"))
    repair.refresh_from_db()
    if approve:
        CreditRecord.objects.filter(pk=repair.record_id).update(repaired_on=timezone.localdate())
        transaction.on_commit(lambda: rescore_safely(repair.enterprise, Trigger.REPAIR))
    _tell_enterprise(
        repair.enterprise,
        _("您的信用修复申请：%(status)s") % {"status": repair.get_status_display()},
        repair.decision_reason,
        f"/enterprises/{repair.enterprise.uscc}/credit/",
    )
    return repair
