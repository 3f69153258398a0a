"""The demo's security: never under production settings; TOTP secrets random per
installation, kept across re-seeds, printed by demo_logins."""

from __future__ import annotations

import hashlib
from base64 import b32encode
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from loanhub.accounts.models import Role, User
from loanhub.accounts.two_factor import totp_current_code, totp_secret_base32
from loanhub.demo import services as demo
from loanhub.demo.security import seed_security
from tests.loanhub.test_settings import GOOD_ENV, run_manage

pytestmark = pytest.mark.django_db

STAFF = ("demo_bank", "demo_bank2", "demo_bank_manager", "demo_admin")


def seed_demo_users() -> dict[str, str]:
    """The demo's users and their TOTP devices; returns username → secret key."""
    ctx = demo.SeedContext(password="Seed-test-pass-1", progress=lambda _msg: None)
    demo.seed_users(ctx)
    demo.seed_banks(ctx)
    seed_security(ctx)
    return dict(TOTPDevice.objects.filter(user__username__in=STAFF).values_list("user__username", "key"))


def printed(*args: str) -> str:
    out = StringIO()
    call_command("demo_logins", *args, stdout=out)
    return out.getvalue()


def test_demo_totp_secrets_are_random_and_kept_on_reseeding():
    keys = seed_demo_users()
    assert set(keys) == set(STAFF)
    assert len(set(keys.values())) == len(STAFF)
    for username, key in keys.items():
        derived = hashlib.sha1(f"loanhub-demo-totp:{username}".encode()).hexdigest()  # noqa: S324 — the legacy derivation
        assert key != derived and len(key) == 40
    assert seed_demo_users() == keys  # idempotent

    # Another installation (no devices yet) gets other secrets.
    TOTPDevice.objects.all().delete()
    assert set(seed_demo_users().values()).isdisjoint(keys.values())


def test_a_secret_derived_from_the_username_is_replaced():
    seed_demo_users()
    user = User.objects.get(username="demo_bank")
    derived = hashlib.sha1(b"loanhub-demo-totp:demo_bank").hexdigest()  # noqa: S324 — the legacy derivation
    TOTPDevice.objects.filter(user=user).update(key=derived)
    assert seed_demo_users()["demo_bank"] != derived


def test_demo_logins_prints_the_stored_secrets_and_current_codes():
    seed_demo_users()
    text = printed()
    codes = dict(line.split() for line in printed("--codes").splitlines() if line.startswith("demo_"))
    for username in STAFF:
        device = TOTPDevice.objects.get(user__username=username)
        assert f"{username:<18} {totp_secret_base32(device)}" in text
        assert b32encode(device.bin_key).decode() == totp_secret_base32(device)
        assert codes[username] == totp_current_code(device)


def test_demo_logins_before_seeding_says_so():
    assert "先运行 seed_demo" in printed("--codes")


def test_a_reseeded_demo_password_revokes_no_token(sme_owner):
    """seed_demo sets a password only when it differs: re-seeding keeps the demo's
    API tokens (a new password would revoke them)."""
    from loanhub.api.models import ApiToken
    from tests.factories.accounts import TEST_PASSWORD

    user, _enterprise = sme_owner
    token = ApiToken.objects.create(user=user, prefix="lh_x", key_hash="0" * 64)
    ctx = demo.SeedContext(password=TEST_PASSWORD, progress=lambda _msg: None)
    demo._user(ctx, user.username, Role.SME)
    token.refresh_from_db()
    assert token.revoked_at is None
    ctx.password = "Another-pass-2026"
    demo._user(ctx, user.username, Role.SME)
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("command", ["seed_demo", "demo_logins"])
def test_demo_commands_refuse_when_the_demo_is_not_allowed(settings, command):
    settings.LOANHUB_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="LOANHUB_DEMO_ALLOWED"):
        call_command(command)
    assert not User.objects.filter(username__startswith="demo_").exists()


def test_seed_demo_refuses_production_settings():
    result = run_manage("seed_demo", "--quiet-logins", env=GOOD_ENV)
    assert result.returncode != 0
    assert "loanhub.settings.production" in result.stderr and "LOANHUB_DEMO_ALLOWED" in result.stderr
