"""Writes for users: SME self-registration, password re-checks, ending sessions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loanhub.audit.models import AuditKind, Outcome
from loanhub.audit.services import audit_record, current_request
from loanhub.enterprises.models import Enterprise
from loanhub.enterprises.services import enterprise_create

from .exceptions import PasswordRecheckLocked
from .models import Notification, Role, User


@transaction.atomic
def user_register_sme(
    *,
    username: str,
    email: str,
    password: str,
    display_name: str,
    uscc: str,
    enterprise_name: str,
    legal_representative: str,
    region: str,
    industry: str,
    registration_date: date,
    registered_capital: Decimal,
    legal_rep_id_number: str = "",
    legal_rep_phone: str = "",
) -> tuple[User, Enterprise]:
    """Register an SME user and its enterprise, the user becoming the owner.

    Everything happens in one transaction: a bad USCC or a taken one leaves no
    half-created user behind.
    """
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名已被使用。")}, code="username_taken")
    user = User(username=username, email=email, display_name=display_name, role=Role.SME)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    enterprise = enterprise_create(
        uscc=uscc,
        name=enterprise_name,
        legal_representative=legal_representative,
        region=region,
        industry=industry,
        registration_date=registration_date,
        registered_capital=registered_capital,
        contact_name=display_name,
        contact_email=email,
        legal_rep_id_number=legal_rep_id_number,
        legal_rep_phone=legal_rep_phone,
        owner=user,
    )
    return user, enterprise


@transaction.atomic
def user_create(*, username: str, password: str, role: str, **fields: object) -> User:
    user = User(username=username, role=role, **fields)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


# The same message to the same person within this window is one notification, not two
# (a need posted twice, a rematch right after the match, two listeners of one event).
NOTIFICATION_DUPLICATE_WINDOW = timedelta(minutes=1)


def notify(*, user: User, title: str, body: str = "", link: str = "") -> Notification:
    """Send an in-app notification and the same text by e-mail (when the user has one).

    An identical notification (title, body and link) sent to the user within the last
    minute is returned instead of sending it again, in the app and by e-mail.
    """
    from django.conf import settings
    from django.core.mail import send_mail

    title, body, link = str(title), str(body), str(link)
    recent = (
        Notification.objects.filter(
            user=user,
            title=title,
            body=body,
            link=link,
            created_at__gte=timezone.now() - NOTIFICATION_DUPLICATE_WINDOW,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if recent is not None:
        return recent
    notification = Notification.objects.create(user=user, title=title, body=body, link=link)
    if user.email:
        url = f"{settings.WAGTAILADMIN_BASE_URL}{link}" if link else ""
        transaction.on_commit(
            lambda: send_mail(
                f"[LoanHub 信易贷] {title}", f"{body}\n\n{url}".strip(), None, [user.email],
                fail_silently=True,
            )
        )  # fmt: skip
    return notification


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    qs = user.notifications.filter(read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


# -- password re-checks, sessions and tokens -----------------------------------------


def password_recheck(*, request: HttpRequest | None, user: User, password: str, purpose: str) -> bool:
    """Ask for the password again outside login (signing, 2FA changes, password change).

    A wrong password counts as a failed login for django-axes (username + IP), so
    re-checks and logins share one lockout: once it is reached the re-check is
    refused even with the right password (``PasswordRecheckLocked``), and so is
    login. Every attempt is audited. Without a request (seed_demo, a shell) there
    is no address to lock: the password is only checked and audited.
    """
    request = request or current_request.get()
    credentials = {"username": user.get_username()}
    if request is not None and not AxesProxyHandler.is_allowed(request, credentials):
        _recheck_audit(request, user, purpose, ok=False, locked=True)
        raise PasswordRecheckLocked
    ok = user.check_password(password)
    _recheck_audit(request, user, purpose, ok=ok)
    if ok or request is None:
        return ok
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False) or not AxesProxyHandler.is_allowed(request, credentials):
        # This failure reached the limit. The caller answers (a lockout page, an
        # API error), not django-axes' middleware; the lockout itself stands.
        request.axes_locked_out = False  # type: ignore[attr-defined]  # django-axes' own flag on the request
        raise PasswordRecheckLocked
    return False


def _recheck_audit(request: HttpRequest | None, user: User, purpose: str, *, ok: bool, locked: bool = False) -> None:
    outcome = Outcome.SUCCESS if ok else Outcome.FAILURE
    details: dict[str, Any] = {"purpose": purpose}  # JSON for the audit record
    if locked:
        details["locked"] = True
    audit_record(kind=AuditKind.PASSWORD_RECHECK, request=request, user=user, outcome=outcome, **details)


_credentials_listeners: list[Callable[[User], object]] = []


def on_credentials_reset(listener: Callable[[User], object]) -> None:
    """Register ``listener(user)``, called when the user's password changes or their
    2FA is reset (the API app revokes the user's tokens)."""
    _credentials_listeners.append(listener)


def user_credentials_reset(*, user: User) -> None:
    """What a password change or reset already implies: every API token revoked.

    Other sessions end by themselves on a password change: the session hash
    includes the password (``User.get_session_auth_hash``).
    """
    for listener in _credentials_listeners:
        listener(user)


@transaction.atomic
def user_sessions_end_others(*, request: HttpRequest, user: User) -> None:
    """End every session of ``user`` but the current one and revoke their API tokens
    (after a 2FA reset, where the password — and so the session hash — stays)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, user)
    user_credentials_reset(user=user)
    audit_record(kind=AuditKind.SESSIONS_ENDED, request=request, user=user, obj=user)
