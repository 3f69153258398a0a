"""Production settings refuse to start without secrets and pass --deploy checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "DJANGO_SETTINGS_MODULE": "loanhub.settings.production",
    "DJANGO_SECRET_KEY": "k3y-" + "x7Qp9vR2mZ8wL4tY6nB1cF5hJ0dG3sK" * 2,
    "DJANGO_ALLOWED_HOSTS": "loanhub.example.cn",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/loanhub",
    "LOANHUB_FIELD_KEYS": "q0dP6cUJ2sSsK8-7pJq0mY8tN3b1w5Yx4eZr9uVhLfA=",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "LOANHUB_"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "LOANHUB_FIELD_KEYS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in GOOD_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_the_development_secret():
    env = dict(GOOD_ENV, DJANGO_SECRET_KEY="dev-insecure-loanhub-secret-key-do-not-use-in-production")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "development default" in result.stderr


@pytest.mark.parametrize(
    "keys",
    [
        "ZGV2LW9ubHktbG9hbmh1Yi1maWVsZC1rZXktMDAwMDA=",  # the dev.py default
        "dGVzdC1vbmx5LWxvYW5odWItZmllbGQta2V5LTAwMDA=",  # the test.py default
        "not-a-fernet-key",
    ],
)
def test_production_refuses_default_or_malformed_field_keys(keys):
    result = run_manage("check", env=dict(GOOD_ENV, LOANHUB_FIELD_KEYS=keys))
    assert result.returncode != 0
    assert "LOANHUB_FIELD_KEYS" in result.stderr


def test_production_requires_two_factor_and_trusts_one_proxy():
    code = (
        "from django.conf import settings as s; "
        "print(s.LOANHUB_REQUIRE_2FA, s.LOANHUB_TRUSTED_PROXY_COUNT, s.AXES_FAILURE_LIMIT)"
    )
    result = run_manage("shell", "-c", code, env=dict(GOOD_ENV, LOANHUB_REQUIRE_2FA="false"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["True", "1", "5"]


@pytest.mark.parametrize(("prepared", "expected"), [(None, "True 2"), ("false", "None None")])
def test_production_postgres_uses_prepared_statements_unless_turned_off(prepared, expected):
    code = (
        "from django.conf import settings as s; o = s.DATABASES['default'].get('OPTIONS', {}); "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    env = dict(GOOD_ENV, **({"DJANGO_DB_PREPARED": prepared} if prepared else {}))
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_production_passes_deploy_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_time_zone_and_language(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
