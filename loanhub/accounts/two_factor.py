"""Two-factor authentication (TOTP + single-use backup codes) with django-otp.

Bank officers, bank managers, platform administrators and any staff or superuser
must verify a second factor after their password before reaching anything but
the 2FA pages and logout (``TwoFactorMiddleware``). SME users may enrol; once they
have, their sessions need the second factor too.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from loanhub.audit.models import AuditKind, Outcome
from loanhub.audit.services import audit_record

from .models import BANK_ROLES, Role, User
from .requests import AuthenticatedHttpRequest
from .services import user_sessions_end_others

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "default"
BACKUP_CODES_SESSION_KEY = "two_factor_new_backup_codes"


def two_factor_required(user: User) -> bool:
    """Whether the role demands a second factor (bank staff, administrators)."""
    if not settings.LOANHUB_REQUIRE_2FA or not user.is_authenticated:
        return False
    return bool(user.role in (*BANK_ROLES, Role.PLATFORM_ADMIN) or user.is_staff or user.is_superuser)


def two_factor_needed(user: User) -> bool:
    """Whether this session must be verified: the role requires it or the user enrolled."""
    return two_factor_required(user) or (user.is_authenticated and user_has_device(user, confirmed=True))


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def totp_device_pending(user: User) -> TOTPDevice:
    """The unconfirmed device an enrolment is scanning (a fresh secret per enrolment)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii")


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code, made here (no external service)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def totp_current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now (demo hints and tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def totp_code_at(device: TOTPDevice, at: float) -> str:
    """The code an authenticator app shows at the Unix time ``at`` (demo hints)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at
    return f"{totp.token():0{device.digits}d}"


def totp_seconds_left(device: TOTPDevice, at: float) -> int:
    """Whole seconds until the code shown at ``at`` changes."""
    return int(device.step - (int(at) - device.t0) % device.step)


def _mark_verified(request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    otp_login(request, device)
    # A new session key on privilege change (the password-only session is discarded).
    request.session.cycle_key()


@transaction.atomic
def backup_codes_generate(user: User) -> list[str]:
    """Replace the user's backup codes with 10 new single-use ones; returns them once."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def two_factor_enrol(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a pending device with a code from the app; returns the new backup codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(_digits(code)):
        audit_record(kind=AuditKind.OTP_FAILED, request=request, outcome=Outcome.FAILURE, step="enrol")
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = backup_codes_generate(device.user)
    _mark_verified(request, device)
    audit_record(kind=AuditKind.OTP_ENROLLED, request=request, obj=device.user)
    return codes


def two_factor_verify(*, request: AuthenticatedHttpRequest, code: str) -> bool:
    """Check a TOTP code, or a backup code (used up on success)."""
    user = request.user
    token = code.strip().replace(" ", "")
    with transaction.atomic():
        for device in [totp_device(user), *StaticDevice.objects.filter(user=user, confirmed=True)]:
            if device is None:
                continue
            device = type(device).objects.select_for_update().get(pk=device.pk)
            candidate = _digits(token) if isinstance(device, TOTPDevice) else token.lower()
            if device.verify_token(candidate):
                _mark_verified(request, device)
                audit_record(
                    kind=AuditKind.OTP_VERIFIED, request=request,
                    device="backup_code" if isinstance(device, StaticDevice) else "totp",
                )  # fmt: skip
                return True
    audit_record(kind=AuditKind.OTP_FAILED, request=request, outcome=Outcome.FAILURE)
    return False


@transaction.atomic
def two_factor_reset(*, request: AuthenticatedHttpRequest) -> None:
    """Remove every device; the user enrols again (required roles) or goes without (SME).

    Sessions elsewhere were verified with the old factor: they end, and the API
    tokens are revoked; this session stays, unverified."""
    user = request.user
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    user_sessions_end_others(request=request, user=user)
    audit_record(kind=AuditKind.OTP_RESET, request=request, obj=user)


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())
