"""API tokens: issue (password + second factor for roles that need it), list, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token

from loanhub.accounts.models import User
from loanhub.accounts.two_factor import two_factor_needed
from loanhub.audit.models import AuditKind, Outcome
from loanhub.audit.services import audit_record
from loanhub.institutions.models import FinancialInstitution, InstitutionMembership
from loanhub.institutions.selectors import institution_for_user

from .compiled import ValuesByIds
from .exceptions import ApiError
from .models import ApiToken

KEY_PREFIX = "lh_"
MAX_VALIDITY_DAYS = 366
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per token and minute


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(
    *, request: HttpRequest, username: str, password: str, otp: str = "", name: str = "",
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Check the credentials (and the TOTP or a backup code where needed); returns the
    token and its key, which is shown once and never stored."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        # django-axes refused (too many failures): answer in the API's shape instead
        # of its lockout page; the lockout itself stands.
        request.axes_locked_out = False
        raise ApiError(429, "locked_out", _("登录失败次数过多，该账户已暂时锁定，请30分钟后再试。"))
    if user is None or not user.is_active:
        raise ApiError(401, "invalid_credentials", _("用户名或密码不正确。"))
    if two_factor_needed(user):
        _check_second_factor(request, user, otp)
    institution = institution_for_user(user=user)
    if user.is_bank_staff and institution is None:
        raise ApiError(403, "no_institution", _("您尚未加入任何金融机构，不能创建接口令牌。"))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user, institution=institution, name=name[:100], prefix=key[:10],
        key_hash=token_hash(key), expires_at=expires,
    )  # fmt: skip
    audit_record(kind=AuditKind.LOGIN_SUCCEEDED, request=request, user=user, obj=token, channel="api")
    return token, key


def _check_second_factor(request: HttpRequest, user: User, otp: str) -> None:
    code = (otp or "").strip().replace(" ", "")
    if not code:
        raise ApiError(401, "otp_required", _("该账户需要双因素认证：请在 otp 字段填写验证器中的6位验证码或备用码。"))
    # django-otp checks every device (TOTP, then single-use backup codes) and
    # throttles a device after each failure.
    if match_token(user, code if code.isdigit() else code.lower()) is None:
        audit_record(kind=AuditKind.OTP_FAILED, request=request, user=user, outcome=Outcome.FAILURE, channel="api")
        raise ApiError(401, "otp_invalid", _("双因素验证码不正确。"))


# Every API request starts here: one query, compiled once, for the token with its
# user, the user's membership and institution (no ORDER BY: the hash is unique).
# Expiry is checked in Python, so the query has no time parameter.
_IDENTITY_MODELS = (
    (ApiToken, ""),
    (User, "user__"),
    (InstitutionMembership, "user__institution_membership__"),
    (FinancialInstitution, "user__institution_membership__institution__"),
)
_IDENTITY_FIELDS = tuple(tuple(f.attname for f in model._meta.concrete_fields) for model, _ in _IDENTITY_MODELS)
_IDENTITY = ValuesByIds(
    ApiToken.objects.filter(revoked_at__isnull=True).order_by().values_list(
        *(prefix + name for (_, prefix), names in zip(_IDENTITY_MODELS, _IDENTITY_FIELDS, strict=True) for name in names)
    ),
    "key_hash",
    as_tuples=True,
    text=True,
)


def _token_with_identity(key_hash: str) -> ApiToken | None:
    """The unrevoked token for ``key_hash`` with its user, membership and institution
    attached, as ``select_related`` would attach them."""
    rows = _IDENTITY([key_hash])
    if not rows:
        return None
    values, start, found = rows[0], 0, []
    for (model, _prefix), names in zip(_IDENTITY_MODELS, _IDENTITY_FIELDS, strict=True):
        part = values[start : start + len(names)]
        start += len(names)
        found.append(None if part[0] is None else model.from_db(ApiToken.objects.db, names, part))
    token, user, membership, institution = found
    token.user = user
    if membership is None:
        User.institution_membership.related.set_cached_value(user, None)  # no query on access
    else:
        membership.institution = institution
        user.institution_membership = membership
    return token


def token_authenticate(key: str) -> ApiToken | None:
    """The usable token for ``key`` (its user still holding the scope it was made with)."""
    token = _token_with_identity(token_hash(key))
    now = timezone.now()
    if token is None or not token.user.is_active or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.user.is_bank_staff or token.institution_id is not None:
        institution = institution_for_user(user=token.user)
        if institution is None or institution.pk != token.institution_id:
            return None  # a bank token only ever sees the institution it was made for
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke at once; revoking a revoked token changes nothing."""
    if token.user_id != user.pk:
        raise ApiError(404, "not_found", _("未找到。"))
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit_record(kind=AuditKind.LOGOUT, user=user, obj=token, channel="api", token_revoked=True)
    token.refresh_from_db()
    return token


def token_revoke_all(user: User) -> int:
    """Revoke every live token of ``user`` (their password changed or their 2FA was
    reset); returns how many were revoked."""
    tokens = list(token_list(user=user).filter(revoked_at__isnull=True))
    for token in tokens:
        token_revoke(user=user, token=token)
    return len(tokens)
