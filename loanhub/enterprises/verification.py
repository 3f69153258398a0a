"""Writes for enterprise verification (DESIGN.md §4 "Identity") and invitations.

Two ways out of 待认证: the legal representative's elements match the registration
record the platform holds (企业要素核验, attempts limited and audited), or a platform
administrator approves an uploaded business licence. A verified owner then adds
colleagues.
"""

from __future__ import annotations

import secrets
from typing import Any

import filetype
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import Role, User
from loanhub.accounts.permissions import is_platform_admin
from loanhub.accounts.services import notify
from loanhub.audit.models import AuditKind, Outcome
from loanhub.audit.services import audit_record
from loanhub.security.masking import mask_id_number, mask_phone

from .exceptions import VerificationLocked
from .models import (
    BusinessLicence,
    Enterprise,
    EnterpriseMembership,
    LicenceStatus,
    MemberRole,
    VerificationAttempt,
    VerificationMethod,
    VerificationStatus,
)
from .registry import RegistrationRecord, registration_record_get
from .selectors import element_check_state, enterprise_is_owner
from .services import enterprise_add_member, enterprise_require_verified

MAX_LICENCE_BYTES = 5 * 1024 * 1024
LICENCE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
MAX_REASON_LENGTH = 500


def _require_owner(user: User, enterprise: Enterprise) -> None:
    if not enterprise_is_owner(user=user, enterprise=enterprise):
        raise PermissionDenied(_("只有企业管理员可以办理企业认证。"))


def _mark_verified(enterprise: Enterprise, method: str) -> None:
    enterprise.verification_status = VerificationStatus.VERIFIED
    enterprise.verification_method = method
    enterprise.verified_at = timezone.now()
    enterprise.save(update_fields=["verification_status", "verification_method", "verified_at"])
    enterprise.licences.filter(status=LicenceStatus.PENDING).update(status=LicenceStatus.SUPERSEDED)


def _notify_members(enterprise: Enterprise, title: str, body: str) -> None:
    link = f"/enterprises/{enterprise.uscc}/verification/"
    for membership in enterprise.memberships.select_related("user"):
        notify(user=membership.user, title=title, body=body, link=link)


# --------------------------------------------------------------- 企业要素核验


def _mismatches(record: RegistrationRecord | None, name: str, id_number: str, mobile: str) -> list[str]:
    if record is None:
        return ["no_record"]
    typed = {"legal_representative": name, "id_number": id_number, "mobile": mobile}
    held = {
        "legal_representative": record.legal_representative,
        "id_number": record.id_number,
        "mobile": record.mobile,
    }
    return [key for key, value in typed.items() if value != held[key]]


def enterprise_verify_elements(
    *,
    enterprise: Enterprise,
    user: User,
    legal_representative: str,
    id_number: str,
    mobile: str,
) -> Enterprise:
    """Check the legal representative's name, ID number and mobile against the
    registration record; verify the enterprise when all three match.

    Every attempt is counted and audited (the numbers only masked); after
    ``MAX_ELEMENT_ATTEMPTS`` failures in 24 hours checks are locked. Failures are
    raised after the attempt has been committed.
    """
    name, id_number, mobile = legal_representative.strip(), id_number.strip().upper(), mobile.strip()
    masked: dict[str, Any] = {"id_number": mask_id_number(id_number), "mobile": mask_phone(mobile)}
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        _require_owner(user, enterprise)
        if enterprise.is_verified:
            return enterprise
        state = element_check_state(enterprise=enterprise)
        if state.locked_until is not None:
            audit_record(
                kind=AuditKind.ENTERPRISE_ELEMENTS_CHECKED, user=user, obj=enterprise,
                outcome=Outcome.FAILURE, uscc=enterprise.uscc, result="locked", **masked,
            )  # fmt: skip
            error: ValidationError | None = VerificationLocked(state.locked_until)
        else:
            error = _element_attempt(enterprise, user, name, id_number, mobile, masked)
    if error is not None:
        raise error
    return enterprise


def _element_attempt(
    enterprise: Enterprise, user: User, name: str, id_number: str, mobile: str, masked: dict
) -> ValidationError | None:
    record = registration_record_get(uscc=enterprise.uscc)
    mismatches = _mismatches(record, name, id_number, mobile)
    ok = not mismatches
    VerificationAttempt.objects.create(enterprise=enterprise, user=user, succeeded=ok)
    audit_record(
        kind=AuditKind.ENTERPRISE_ELEMENTS_CHECKED, user=user, obj=enterprise,
        outcome=Outcome.SUCCESS if ok else Outcome.FAILURE, uscc=enterprise.uscc,
        result="matched" if ok else "mismatch", mismatched=mismatches, **masked,
    )  # fmt: skip
    if ok:
        enterprise.legal_representative = name
        enterprise.legal_rep_id_number = id_number
        enterprise.legal_rep_phone = mobile
        enterprise.save(update_fields=["legal_representative", "legal_rep_id_number", "legal_rep_phone"])
        _mark_verified(enterprise, VerificationMethod.ELEMENTS)
        return None
    if record is None:
        return ValidationError(
            _("平台暂无该企业的登记信息，无法在线核验。请上传营业执照，由平台人工审核。"),
            code="no_registration_record",
        )
    state = element_check_state(enterprise=enterprise)
    if state.attempts_left == 0 and state.locked_until is not None:
        return VerificationLocked(state.locked_until)
    left = state.attempts_left
    return ValidationError(
        _("填写的法定代表人信息与登记信息不一致，请核对后重试（还可尝试 %(n)d 次）。") % {"n": left},
        code="elements_mismatch",
    )


# ---------------------------------------------------------------- 营业执照


def _licence_type(upload: UploadedFile) -> str:
    if not upload.size:
        raise ValidationError({"file": _("文件是空的。")})
    if upload.size > MAX_LICENCE_BYTES:
        raise ValidationError({"file": _("文件不能超过5MB。")})
    upload.seek(0)
    kind = filetype.guess(upload.read(2048))
    upload.seek(0)
    if kind is None or kind.mime not in LICENCE_TYPES:
        raise ValidationError({"file": _("仅支持 JPG、PNG 图片或 PDF 文件。")})
    return kind.mime


@transaction.atomic
def licence_upload(*, enterprise: Enterprise, user: User, upload: UploadedFile) -> BusinessLicence:
    """Store a business licence for review under a random name; an earlier pending
    one is superseded."""
    _require_owner(user, enterprise)
    if enterprise.is_verified:
        raise ValidationError(_("企业已完成认证，无需再上传营业执照。"))
    mime = _licence_type(upload)
    enterprise.licences.filter(status=LicenceStatus.PENDING).update(status=LicenceStatus.SUPERSEDED)
    licence = BusinessLicence(enterprise=enterprise, uploaded_by=user, content_type=mime, size=upload.size or 0)
    licence.file.save(f"licences/{secrets.token_hex(16)}.{LICENCE_TYPES[mime]}", upload, save=False)
    licence.save()
    if enterprise.verification_status == VerificationStatus.REJECTED:
        enterprise.verification_status = VerificationStatus.PENDING
        enterprise.save(update_fields=["verification_status"])
    audit_record(
        kind=AuditKind.LICENCE_UPLOADED, user=user, obj=licence,
        uscc=enterprise.uscc, content_type=mime, size=upload.size,
    )  # fmt: skip
    return licence


def _pending_for_review(licence: BusinessLicence, admin: User) -> BusinessLicence:
    if not is_platform_admin(admin):
        raise PermissionDenied(_("只有平台管理员可以审核营业执照。"))
    locked = BusinessLicence.objects.select_for_update().select_related("enterprise").get(pk=licence.pk)
    if locked.status != LicenceStatus.PENDING:
        raise ValidationError(_("该营业执照已处理或已失效，请刷新后查看。"))
    return locked


def _reviewed(licence: BusinessLicence, admin: User, status: str, reason: str = "") -> None:
    licence.status = status
    licence.reason = reason
    licence.reviewed_by = admin
    licence.reviewed_at = timezone.now()
    licence.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])


@transaction.atomic
def licence_approve(*, licence: BusinessLicence, admin: User) -> BusinessLicence:
    licence = _pending_for_review(licence, admin)
    _reviewed(licence, admin, LicenceStatus.APPROVED)
    enterprise = licence.enterprise
    _mark_verified(enterprise, VerificationMethod.LICENCE)
    audit_record(kind=AuditKind.LICENCE_APPROVED, user=admin, obj=licence, uscc=enterprise.uscc)
    _notify_members(
        enterprise,
        _("企业认证已通过"),
        _("%(name)s 的营业执照已审核通过，企业已完成认证。") % {"name": enterprise.name},
    )
    return licence


@transaction.atomic
def licence_reject(*, licence: BusinessLicence, admin: User, reason: str) -> BusinessLicence:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写驳回理由，企业将看到它。")})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": _("驳回理由不能超过500字。")})
    licence = _pending_for_review(licence, admin)
    _reviewed(licence, admin, LicenceStatus.REJECTED, reason)
    enterprise = licence.enterprise
    enterprise.verification_status = VerificationStatus.REJECTED
    enterprise.save(update_fields=["verification_status"])
    audit_record(
        kind=AuditKind.LICENCE_REJECTED, user=admin, obj=licence,
        outcome=Outcome.FAILURE, uscc=enterprise.uscc, reason=reason,
    )  # fmt: skip
    _notify_members(
        enterprise,
        _("企业认证未通过"),
        _("%(name)s 的营业执照未通过审核：%(reason)s。您可以重新上传，或进行企业要素核验。")
        % {"name": enterprise.name, "reason": reason},
    )
    return licence


# -------------------------------------------------------------- invitations


def _find_sme(identifier: str) -> User:
    ident = identifier.strip()
    if not ident:
        raise ValidationError({"identifier": _("请填写同事的用户名或电子邮箱。")})
    users = list(
        User.objects.filter(role=Role.SME, is_active=True).filter(Q(username__iexact=ident) | Q(email__iexact=ident))[
            :2
        ]
    )
    if not users:
        raise ValidationError(
            {"identifier": _("未找到该企业用户。请确认对方已注册平台账号，并填写其用户名或电子邮箱。")}
        )
    if len(users) > 1:
        raise ValidationError({"identifier": _("该电子邮箱对应多个账号，请填写用户名。")})
    return users[0]


@transaction.atomic
def enterprise_member_invite(*, enterprise: Enterprise, owner: User, identifier: str) -> EnterpriseMembership:
    """A verified enterprise's owner adds an existing SME user as a member."""
    if not enterprise_is_owner(user=owner, enterprise=enterprise):
        raise PermissionDenied(_("只有企业管理员可以添加成员。"))
    enterprise_require_verified(enterprise)
    user = _find_sme(identifier)
    if enterprise.memberships.filter(user=user).exists():
        raise ValidationError({"identifier": _("该用户已是本企业成员。")})
    membership = enterprise_add_member(enterprise=enterprise, user=user, role=MemberRole.MEMBER)
    audit_record(
        kind=AuditKind.ENTERPRISE_MEMBER_ADDED, user=owner, obj=enterprise,
        uscc=enterprise.uscc, member=user.get_username(),
    )  # fmt: skip
    notify(
        user=user,
        title=_("您已加入 %(name)s") % {"name": enterprise.name},
        body=_("%(owner)s 将您添加为该企业的成员。") % {"owner": owner},
        link=f"/enterprises/{enterprise.uscc}/",
    )
    return membership
