"""Signing and revoking authorizations; writing the access log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.accounts.models import User
from loanhub.accounts.services import password_recheck
from loanhub.audit.models import AuditKind
from loanhub.audit.services import audit_record
from loanhub.credit_data.catalog import CATEGORY_BY_CODE, SENSITIVE_CODES
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.selectors import enterprise_is_owner
from loanhub.enterprises.services import enterprise_require_verified
from loanhub.institutions.models import FinancialInstitution

from . import texts
from .models import (
    MAX_VALIDITY_DAYS,
    AccessLog,
    Authorization,
    AuthorizationStatus,
    Channel,
    GranteeType,
    Purpose,
)

ConsentListener = Callable[[Enterprise], object]
_consent_listeners: list[ConsentListener] = []


def on_consent_change(listener: ConsentListener) -> None:
    """Register ``listener(enterprise)`` called after an authorization is signed or revoked."""
    _consent_listeners.append(listener)


def _notify(enterprise: Enterprise) -> None:
    for listener in _consent_listeners:
        transaction.on_commit(partial(listener, enterprise))


def authorization_preview(
    *,
    enterprise: Enterprise,
    user: User,
    grantee_type: str,
    institution: FinancialInstitution | None,
    purpose: str,
    categories: list[str],
    data_from: date,
    valid_from: datetime,
    expires_at: datetime,
    version: str = texts.CURRENT_VERSION,
) -> str:
    """The exact authorization text the user is about to agree to."""
    grantee = (
        institution.name
        if grantee_type == GranteeType.INSTITUTION and institution
        else str(GranteeType(grantee_type).label)
    )
    local = timezone.localtime
    return texts.render(
        version,
        enterprise=enterprise.name,
        uscc=enterprise.uscc,
        signer=user.display_name or user.username,
        grantee=grantee,
        purpose=str(Purpose(purpose).label),
        categories="、".join(str(CATEGORY_BY_CODE[c].name) for c in categories),
        data_from=data_from.isoformat(),
        valid_from=local(valid_from).strftime("%Y-%m-%d %H:%M"),
        expires_at=local(expires_at).strftime("%Y-%m-%d %H:%M"),
        sensitive_categories="、".join(str(CATEGORY_BY_CODE[c].name) for c in categories if c in SENSITIVE_CODES),
    )


def _validate(
    *,
    request: HttpRequest | None,
    enterprise: Enterprise,
    user: User,
    password: str,
    grantee_type: str,
    institution: FinancialInstitution | None,
    purpose: str,
    categories: list[str],
    data_from: date,
    expires_at: datetime,
    sensitive_confirmed: bool,
) -> None:
    if not enterprise_is_owner(user=user, enterprise=enterprise):
        raise PermissionDenied(_("只有企业管理员可以签署授权。"))
    # Rate-limited and audited; a wrong password counts toward the login lockout.
    if not password_recheck(request=request, user=user, password=password, purpose="authorization_sign"):
        raise ValidationError({"password": _("密码不正确，授权未签署。")})
    errors: dict[str, str] = {}
    if grantee_type not in GranteeType.values:
        errors["grantee_type"] = _("请选择被授权方。")
    elif grantee_type == GranteeType.INSTITUTION and institution is None:
        errors["institution"] = _("请选择被授权的金融机构。")
    if purpose not in Purpose.values:
        errors["purpose"] = _("请选择授权用途。")
    unknown = [c for c in categories if c not in CATEGORY_BY_CODE]
    if not categories or unknown:
        errors["categories"] = _("请至少选择一类信息。")
    if set(categories) & SENSITIVE_CODES and not sensitive_confirmed:
        errors["sensitive_confirmed"] = _("纳税金额属于敏感信息，需要单独勾选同意。")
    now = timezone.now()
    if expires_at <= now:
        errors["expires_at"] = _("到期时间必须晚于现在。")
    elif expires_at > now + timedelta(days=MAX_VALIDITY_DAYS):
        errors["expires_at"] = _("授权期限最长12个月。")
    if data_from > timezone.localdate():
        errors["data_from"] = _("数据起始日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)


def authorization_grant(
    *,
    enterprise: Enterprise,
    user: User,
    password: str,
    grantee_type: str,
    purpose: str,
    categories: list[str],
    data_from: date,
    expires_at: datetime,
    institution: FinancialInstitution | None = None,
    sensitive_confirmed: bool = False,
    version: str = texts.CURRENT_VERSION,
    valid_from: datetime | None = None,
    expected_hash: str | None = None,
    request: HttpRequest | None = None,
) -> Authorization:
    """Sign an authorization: checks owner and password, stores the exact text and hash.

    The password is checked before the transaction: a wrong one stays counted toward
    the lockout and audited although nothing is signed."""
    enterprise_require_verified(enterprise)  # 待认证: nobody may sign in its name yet
    categories = sorted(set(categories), key=list(CATEGORY_BY_CODE).index)
    if grantee_type != GranteeType.INSTITUTION:
        institution = None
    _validate(
        request=request, enterprise=enterprise, user=user, password=password, grantee_type=grantee_type,
        institution=institution, purpose=purpose, categories=categories, data_from=data_from,
        expires_at=expires_at, sensitive_confirmed=sensitive_confirmed,
    )  # fmt: skip
    valid_from = valid_from or timezone.now()
    text = authorization_preview(
        enterprise=enterprise, user=user, grantee_type=grantee_type, institution=institution,
        purpose=purpose, categories=categories, data_from=data_from, valid_from=valid_from,
        expires_at=expires_at, version=version,
    )  # fmt: skip
    if expected_hash is not None and texts.text_hash(text) != expected_hash:
        raise ValidationError(_("授权书内容已变化，请重新阅读并确认。"))
    with transaction.atomic():
        artefact = Authorization.objects.create(
            enterprise=enterprise,
            granted_by=user,
            grantee_type=grantee_type,
            institution=institution,
            purpose=purpose,
            categories=categories,
            data_from=data_from,
            valid_from=valid_from,
            expires_at=expires_at,
            text_version=version,
            text=text,
            text_hash=texts.text_hash(text),
        )
        audit_record(kind=AuditKind.AUTHORIZATION_SIGNED, user=user, obj=artefact, enterprise=enterprise.uscc)
        _notify(enterprise)
    return artefact


@transaction.atomic
def authorization_revoke(*, authorization: Authorization, user: User) -> Authorization:
    """Revoke at once; revoking a revoked or expired artefact changes nothing."""
    if not enterprise_is_owner(user=user, enterprise=authorization.enterprise):
        raise PermissionDenied(_("只有企业管理员可以撤回授权。"))
    updated = Authorization.objects.filter(pk=authorization.pk, status=AuthorizationStatus.ACTIVE).update(
        status=AuthorizationStatus.REVOKED, revoked_at=timezone.now(), revoked_by=user
    )
    authorization.refresh_from_db()
    if updated:
        audit_record(kind=AuditKind.AUTHORIZATION_REVOKED, user=user, obj=authorization)
        _notify(authorization.enterprise)
    return authorization


def access_log_record(
    *,
    enterprise: Enterprise,
    user: User | None,
    categories: list[str],
    purpose: str,
    channel: str = Channel.PORTAL,
    institution: FinancialInstitution | None = None,
    authorization: Authorization | None = None,
    detail: str = "",
) -> AccessLog:
    audit_record(
        kind=AuditKind.CREDIT_DATA_READ,
        user=user,
        obj=enterprise,
        categories=sorted(categories),
        purpose=purpose,
        channel=channel,
    )
    return AccessLog.objects.create(
        enterprise=enterprise,
        user=user,
        institution=institution,
        authorization=authorization,
        categories=sorted(categories),
        purpose=purpose,
        channel=channel,
        detail=detail[:200],
    )


def access_log_bulk(entries: list[AccessLog]) -> list[AccessLog]:
    """Record many reads at once (a list page, an export, a webhook batch): one INSERT.

    The access log is the record of these reads (a lead list page shows each
    enterprise's judgement, not its records); the audit trail is not written per
    row, so the bank's busiest page stays one INSERT.
    """
    return AccessLog.objects.bulk_create(entries) if entries else []
