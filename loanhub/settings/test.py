"""Test settings: fast hashing, in-memory e-mail and cache, immediate tasks.

SQLite by default; CI sets ``DATABASE_URL`` to a PostgreSQL server.
"""

from __future__ import annotations

from .base import *  # noqa: F403 — each settings module extends base
from .base import BASE_DIR, DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-loanhub-secret-key"  # noqa: S105 — TEST ONLY; production.py refuses it
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOANHUB_MODEL_DIR = env.path("LOANHUB_TEST_MODEL_DIR", default=str(BASE_DIR / "var" / "test-models"))
WAGTAILADMIN_BASE_URL = "http://testserver"
LOANHUB_DEMO_MODEL_ENTERPRISES = 3000  # small and fast; make run trains on 20,000
# TEST ONLY field-encryption key — production.py refuses it.
LOANHUB_FIELD_KEYS = ["dGVzdC1vbmx5LWxvYW5odWItZmllbGQta2V5LTAwMDA="]  # base64("test-only-loanhub-field-key-0000")
LOANHUB_REQUIRE_2FA = True
# Django's test Client.login() authenticates without a request; HTTP logins are
# still checked by django-axes exactly as in production (loanhub/security/backends.py).
AUTHENTICATION_BACKENDS = [
    "loanhub.security.backends.TestClientAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# The API tests' stand-in webhook receiver listens on http://127.0.0.1.
LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
# The read replica's alias as a mirror of the test database (Django's TEST MIRROR): a test that sets
# LOANHUB_READ_REPLICA = "replica" sees statistics and exports read through it (test_read_replica.py).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
LOANHUB_READ_REPLICA = None
