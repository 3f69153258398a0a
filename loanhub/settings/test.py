"""Test settings: fast hashing, in-memory e-mail and cache, immediate tasks.

SQLite by default; CI sets ``DATABASE_URL`` to a PostgreSQL server.
"""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-only-loanhub-secret-key"  # TEST ONLY
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}
LOANHUB_MODEL_DIR = env.path(
    "LOANHUB_TEST_MODEL_DIR", default=str(BASE_DIR / "var" / "test-models")
)
WAGTAILADMIN_BASE_URL = "http://testserver"
LOANHUB_DEMO_MODEL_ENTERPRISES = 3000  # small and fast; make run trains on 20,000
