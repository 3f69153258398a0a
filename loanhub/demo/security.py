"""Demo seed step for the security features: TOTP devices for the demo staff and
synthetic (encrypted) legal-representative details for the demo SMEs.

DEMO ONLY: each demo staff user gets a random TOTP secret, made once per
installation and kept in the device, so an authenticator app set up once keeps
working after a re-seed; ``manage.py demo_logins`` prints the secrets and
``manage.py demo_logins --codes`` the current codes. The demo refuses to run under
production settings (``LOANHUB_DEMO_ALLOWED``).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from loanhub.accounts.models import User
from loanhub.accounts.two_factor import DEVICE_NAME, totp_device, two_factor_required
from loanhub.enterprises.models import Enterprise

if TYPE_CHECKING:
    from .context import SeedContext

# Synthetic values in the valid formats; they belong to nobody.
DEMO_LEGAL_REP = {
    "demo_sme": ("440106198205170038", "13800138001"),
    "demo_sme2": ("440604197911230027", "13900139002"),
}


def demo_allowed() -> bool:
    """False under production settings: the demo's known password and printed TOTP
    secrets must never reach a production database."""
    return bool(settings.LOANHUB_DEMO_ALLOWED)


def demo_refusal() -> str:
    return (
        "演示数据（已知密码、公开打印的验证器密钥）不能装入生产环境：当前配置 "
        f"{settings.SETTINGS_MODULE} 禁止运行演示命令（LOANHUB_DEMO_ALLOWED=False）。"
    )


def _legacy_demo_key(username: str) -> str:
    """The secret earlier versions derived from the username (public, so replaced)."""
    return hashlib.sha1(f"loanhub-demo-totp:{username}".encode()).hexdigest()  # noqa: S324 — to recognise it


def demo_device_ensure(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device; made once with a random secret (django-otp's
    default key), then kept, so re-seeding does not change the secret."""
    device = totp_device(user)
    if device is None or device.key == _legacy_demo_key(user.username):
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return device


def seed_security(ctx: SeedContext) -> None:
    for user in User.objects.filter(username__startswith="demo_"):
        if two_factor_required(user):
            demo_device_ensure(user)
    for username, (id_number, phone) in DEMO_LEGAL_REP.items():
        enterprise = Enterprise.objects.filter(memberships__user__username=username, legal_rep_id_number="").first()
        if enterprise is not None:
            enterprise.legal_rep_id_number, enterprise.legal_rep_phone = id_number, phone
            enterprise.save(update_fields=["legal_rep_id_number", "legal_rep_phone"])
    ctx.progress("演示账号的双因素认证已就绪")
