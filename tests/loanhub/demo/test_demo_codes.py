"""demo_logins --codes: the codes of now and of the next step; start-up without LightGBM."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from loanhub.accounts.two_factor import totp_code_at, totp_current_code, totp_seconds_left
from loanhub.demo import services as demo
from loanhub.demo.security import seed_security

ROOT = Path(__file__).resolve().parents[3]
STAFF = ("demo_bank", "demo_bank2", "demo_bank_manager", "demo_admin")


@pytest.mark.django_db
def test_codes_list_the_next_codes_and_how_long_the_current_ones_hold():
    ctx = demo.SeedContext(password="Seed-test-pass-1", progress=lambda _msg: None)
    demo.seed_users(ctx)
    demo.seed_banks(ctx)
    seed_security(ctx)
    before = time.time()
    out = StringIO()
    call_command("demo_logins", "--codes", stdout=out)
    text = out.getvalue()
    assert "秒；之后是" in text
    nexts = dict(line.split() for line in text.splitlines() if line.startswith("  demo_"))
    for username in STAFF:
        device = TOTPDevice.objects.get(user__username=username)
        assert nexts[username] in {totp_code_at(device, before + 30), totp_code_at(device, time.time() + 30)}
        assert totp_code_at(device, time.time()) == totp_current_code(device)


def test_seconds_left_counts_down_to_the_next_step():
    device = TOTPDevice(step=30, t0=0)
    assert totp_seconds_left(device, 1_800_000_000) == 30
    assert totp_seconds_left(device, 1_800_000_029.5) == 1


def test_django_start_up_does_not_import_lightgbm_or_scikit_learn():
    """Every manage.py command (demo_logins --codes too) loads the back office's hooks,
    hence the scoring services and risk_models.model: these must not import LightGBM or
    scikit-learn (about 1.5 s of a 4 s start) until a model is read or fitted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "loanhub.settings.test"
    code = "import django, sys; django.setup(); print(sorted({'lightgbm', 'sklearn', 'scipy'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
