"""Production settings: everything comes from the environment.

Refuses to start without ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS`` and
``DATABASE_URL``; refuses the development secret key.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403 — each settings module extends base
from .base import CACHES, MIDDLEWARE, env, postgres_prepared, read_replica, sqlite_concurrent

DEBUG = False


def _require(name: str) -> str:
    value = env.str(name, default="")
    if not value.strip():
        raise ImproperlyConfigured(
            f"Production settings need the environment variable {name}; see README.md, section 'Production'."
        )
    return value


SECRET_KEY = _require("DJANGO_SECRET_KEY")
if SECRET_KEY.startswith(("dev-insecure", "test-only")) or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random value of at least 50 characters, not a development default."
    )
ALLOWED_HOSTS = [h.strip() for h in _require("DJANGO_ALLOWED_HOSTS").split(",")]
DATABASES = {"default": env.db_url_config(_require("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator()) may outlive
# the server connection it was opened on; Django's documented switch turns them off.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DJANGO_DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
postgres_prepared(DATABASES["default"])
sqlite_concurrent(DATABASES["default"])
LOANHUB_READ_REPLICA = read_replica(DATABASES)  # DATABASE_REPLICA_URL: statistics and exports read there
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Field-encryption keys (Fernet): required, and never the dev/test defaults.
LOANHUB_FIELD_KEYS = [k.strip() for k in _require("LOANHUB_FIELD_KEYS").split(",") if k.strip()]
_DEFAULT_FIELD_KEY_PREFIXES = ("ZGV2LW9ubHkt", "dGVzdC1vbmx5LW")  # base64 "dev-only-", "test-only-"
if any(k.startswith(_DEFAULT_FIELD_KEY_PREFIXES) for k in LOANHUB_FIELD_KEYS):
    raise ImproperlyConfigured(
        "LOANHUB_FIELD_KEYS holds a development default key; generate real ones with "
        "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    )
try:
    from cryptography.fernet import Fernet

    for _key in LOANHUB_FIELD_KEYS:
        Fernet(_key.encode())
except ValueError as _exc:
    raise ImproperlyConfigured(
        "LOANHUB_FIELD_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes)."
    ) from _exc

# Second factor is not optional in production.
LOANHUB_REQUIRE_2FA = True
# API token identities are cached only in a cache the processes share (base.py).
CACHES["tokens"] = env.cache_url("LOANHUB_TOKEN_CACHE_URL", default="dummycache://")

# Several web replicas (docs/production.md, "Several machines"). Sessions and django-axes
# lockouts are database rows already; every cache a request counts on must be shared too.
# With LOANHUB_REPLICAS > 1 each cache its own variable does not set becomes a database
# cache (its table made by `manage.py createcachetable`), and a per-process (locmem) or
# per-machine (file) cache is refused.
LOANHUB_REPLICAS = env.int("LOANHUB_REPLICAS", default=1)
SHARED_CACHE_VARIABLES = {
    "default": "LOANHUB_CACHE_URL",
    "pages": "LOANHUB_PAGE_CACHE_URL",
    "throttle": "LOANHUB_THROTTLE_CACHE_URL",
    "tokens": "LOANHUB_TOKEN_CACHE_URL",
}
if LOANHUB_REPLICAS > 1:
    for _alias, _variable in SHARED_CACHE_VARIABLES.items():
        if _alias != "tokens" and not env.str(_variable, default="").strip():  # tokens: none (dummy) is shared
            CACHES[_alias] = {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": f"loanhub_cache_{_alias}",
                # Django's default (300) would cull live throttle counters under load.
                "OPTIONS": {"MAX_ENTRIES": 200_000},
            }
    _machine_local = sorted(
        alias for alias, cache in CACHES.items() if cache["BACKEND"].endswith(("LocMemCache", "FileBasedCache"))
    )
    if _machine_local:
        raise ImproperlyConfigured(
            f"LOANHUB_REPLICAS={LOANHUB_REPLICAS} but these caches are local to one process or machine: "
            + ", ".join(f"{alias} ({SHARED_CACHE_VARIABLES.get(alias, '?')})" for alias in _machine_local)
            + "; leave the variable unset for the database cache or give a redis:// URL (docs/production.md)."
        )
# The sandbox demo (known password, printed TOTP secrets) never runs here.
LOANHUB_DEMO_ALLOWED = False
# Nor does the sandbox serve synthetic records here, whatever the environment says.
LOANHUB_SANDBOX_RECORDS = False
# nginx in front (docs/production.md) appends the client address to X-Forwarded-For.
LOANHUB_TRUSTED_PROXY_COUNT = env.int("LOANHUB_TRUSTED_PROXY_COUNT", default=1)

MIDDLEWARE = [
    MIDDLEWARE[0],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"https://{ALLOWED_HOSTS[0]}")
