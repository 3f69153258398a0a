"""Development settings: ``make run``. SQLite, console e-mail, DEBUG on.

Everything insecure here is a clearly-marked development default that
``production.py`` refuses.
"""

from __future__ import annotations

from .base import *  # noqa: F403 — each settings module extends base
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# The demo's new registrations pass 企业要素核验 against the sandbox register.
LOANHUB_SANDBOX_REGISTRY = env.bool("LOANHUB_SANDBOX_REGISTRY", default=True)
# ... and authorizing fetches the sandbox's synthetic records for it (沙箱数据).
LOANHUB_SANDBOX_RECORDS = env.bool("LOANHUB_SANDBOX_RECORDS", default=True)
# DEVELOPMENT ONLY — production.py refuses to start without DJANGO_SECRET_KEY.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="dev-insecure-loanhub-secret-key-do-not-use-in-production",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# DEVELOPMENT ONLY field-encryption key — production.py refuses it.
DEV_FIELD_KEY = "ZGV2LW9ubHktbG9hbmh1Yi1maWVsZC1rZXktMDAwMDA="  # base64("dev-only-loanhub-field-key-00000")
LOANHUB_FIELD_KEYS = env.list("LOANHUB_FIELD_KEYS", default=[DEV_FIELD_KEY])
