"""API tokens: issue (password + second factor for roles that need it), list, revoke."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import caches
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token

from loanhub.accounts.models import User
from loanhub.accounts.two_factor import two_factor_needed
from loanhub.audit.models import AuditKind, Outcome
from loanhub.audit.services import audit_record
from loanhub.institutions.models import InstitutionMembership
from loanhub.institutions.selectors import institution_for_user

from .exceptions import ApiError
from .models import ApiToken

KEY_PREFIX = "lh_"
MAX_VALIDITY_DAYS = 366
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per token and minute
IDENTITY_CACHE = "tokens"


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(
    *,
    request: HttpRequest,
    username: str,
    password: str,
    otp: str = "",
    name: str = "",
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Check the credentials (and the TOTP or a backup code where needed); returns the
    token and its key, which is shown once and never stored."""
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        # django-axes refused (too many failures): answer in the API's shape instead
        # of its lockout page; the lockout itself stands.
        request.axes_locked_out = False  # type: ignore[attr-defined]  # django-axes' own flag on the request
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


# Every API request starts here. The token with its user, membership and institution
# is kept for a few seconds in the "tokens" cache (several server processes need a
# shared one: LOANHUB_TOKEN_CACHE_URL); whatever could make it refuse the token —
# revocation, a password change or 2FA reset (which revoke), a change to the user or
# their membership — forgets it at once (token_identity_forget, hooked in apps.py).
# Expiry and the institution binding are checked on every request. The one gap: a
# request that read the token from the database just before it was revoked may cache
# what it read after the revocation forgot it, for at most the cache's lifetime.
_IDENTITY = "user__institution_membership__institution"


def _identity_cache_key(key_hash: str) -> str:
    return f"api-token:{key_hash}"


def _token_with_identity(key_hash: str) -> ApiToken | None:
    """The unrevoked token for ``key_hash`` with its user, membership and institution."""
    cache = caches[IDENTITY_CACHE]
    token = cache.get(_identity_cache_key(key_hash))
    if token is None:
        token = ApiToken.objects.select_related(_IDENTITY).filter(key_hash=key_hash, revoked_at__isnull=True).first()
        if token is not None:
            _identity_remember(token)
    return token


def _identity_remember(token: ApiToken) -> None:
    caches[IDENTITY_CACHE].set(_identity_cache_key(token.key_hash), token, settings.LOANHUB_TOKEN_CACHE_SECONDS)


def token_identity_forget(*, key_hashes: Iterable[str] = (), user_id: int | None = None) -> None:
    """Drop the cached identity of these tokens (or of every token of ``user_id``), now
    and again when the current transaction commits, so no request re-caches the state
    that is being changed."""
    hashes = set(key_hashes)
    if user_id is not None:
        hashes.update(ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True))
    if not hashes:
        return
    keys = [_identity_cache_key(h) for h in hashes]
    caches[IDENTITY_CACHE].delete_many(keys)
    transaction.on_commit(lambda: caches[IDENTITY_CACHE].delete_many(keys))


def token_identity_changed(sender: type, instance: ApiToken | User | InstitutionMembership, **kwargs: object) -> None:
    """post_save / post_delete of a token, a user or a membership (apps.py)."""
    if isinstance(instance, ApiToken):
        token_identity_forget(key_hashes=[instance.key_hash])
    else:
        token_identity_forget(user_id=instance.pk if isinstance(instance, User) else instance.user_id)


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
        # Or every cached read would write again; the next request reads it afresh
        # (re-caching this copy could revive a token revoked meanwhile).
        caches[IDENTITY_CACHE].delete(_identity_cache_key(token.key_hash))
    return token


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke at once; revoking a revoked token changes nothing."""
    if token.user_id != user.pk:
        raise ApiError(404, "not_found", _("未找到。"))
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        audit_record(kind=AuditKind.LOGOUT, user=user, obj=token, channel="api", token_revoked=True)
    token_identity_forget(key_hashes=[token.key_hash])
    token.refresh_from_db()
    return token


def token_revoke_all(user: User) -> int:
    """Revoke every live token of ``user`` (their password changed or their 2FA was
    reset); returns how many were revoked."""
    tokens = list(token_list(user=user).filter(revoked_at__isnull=True))
    for token in tokens:
        token_revoke(user=user, token=token)
    return len(tokens)
