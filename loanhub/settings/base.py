"""Settings shared by every environment.

The environment is read here, in one place, with django-environ. ``dev.py`` and
``test.py`` add clearly-marked development defaults; ``production.py`` refuses to
start without real values.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

DEBUG = env.bool("DJANGO_DEBUG", default=False)

INSTALLED_APPS = [
    # LoanHub domain apps
    "loanhub.accounts",
    "loanhub.enterprises",
    "loanhub.institutions",
    "loanhub.credit_data",
    "loanhub.consent",
    "loanhub.scoring",
    "loanhub.disputes",
    "loanhub.demo",
    "loanhub.matching",
    "loanhub.loans",
    "loanhub.learning",
    "loanhub.reports",
    "loanhub.stats",
    "loanhub.audit",
    "loanhub.security",
    "loanhub.api",
    "cms",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "loanhub.security.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "loanhub.audit.middleware.AuditMiddleware",
    "loanhub.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cms.middleware.AnonymousPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "loanhub.urls"
WSGI_APPLICATION = "loanhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "loanhub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "loanhub.accounts.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)


def postgres_prepared(database: dict) -> dict:
    """On PostgreSQL, bind parameters on the server and let psycopg prepare a query
    after its second run on a connection: PostgreSQL then plans it once instead of
    on every request (the lead list's join took longer to plan than to run), and
    Python no longer quotes every value into the SQL text. Turn it off with
    DJANGO_DB_PREPARED=false behind a pooler in transaction mode (PgBouncer
    without max_prepared_statements)."""
    if "postgresql" in database.get("ENGINE", "") and env.bool("DJANGO_DB_PREPARED", default=True):
        database.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
    return database


# Seconds a SQLite writer waits for another's lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 20.0


def sqlite_concurrent(database: dict) -> dict:
    """On SQLite, let concurrent requests queue for the write lock instead of failing
    with "database is locked" (HTML 500 where PostgreSQL gives the JSON 409 of a lost
    claim). A transaction takes the lock when it begins (BEGIN IMMEDIATE): taken at
    its first write instead, after it has read, SQLite cannot wait for it and fails
    at once. A writer waits up to SQLITE_BUSY_TIMEOUT seconds (sqlite3's ``timeout``
    is SQLite's busy timeout); WAL lets readers go on while one writes, and
    synchronous=NORMAL is WAL's safe setting (no fsync per commit)."""
    if "sqlite" in database.get("ENGINE", ""):
        options = database.setdefault("OPTIONS", {})
        options.setdefault("transaction_mode", "IMMEDIATE")
        options.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
        options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    return database


postgres_prepared(DATABASES["default"])
sqlite_concurrent(DATABASES["default"])


def read_replica(databases: dict) -> str | None:
    """DATABASE_REPLICA_URL: a read replica (a PostgreSQL hot standby) that statistics and exports
    read from, as the database alias "replica" (loanhub/replica.py); None without one."""
    url = env.str("DATABASE_REPLICA_URL", default="")
    if not url.strip():
        return None
    default = databases["default"]
    replica = env.db_url_config(url)
    replica["CONN_MAX_AGE"] = default.get("CONN_MAX_AGE", 0)
    replica["DISABLE_SERVER_SIDE_CURSORS"] = default.get("DISABLE_SERVER_SIDE_CURSORS", False)
    databases["replica"] = postgres_prepared(replica)
    return "replica"


LOANHUB_READ_REPLICA = read_replica(DATABASES)
DATABASE_ROUTERS = ["loanhub.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: refuses locked-out (username, IP) pairs before any check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: after any password change it revokes the user's API tokens.
    {"NAME": "loanhub.accounts.password_validation.RevokeAccessOnPasswordChange"},
]

# Internationalisation: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "loanhub" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Idle timeout: 30 minutes without a request ends the session.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="LoanHub <noreply@loanhub.local>")

CACHES = {
    # Small shared state (the matching version counter, Wagtail's site paths). Several
    # server machines need a shared one: LOANHUB_CACHE_URL=redis://..., or production's
    # LOANHUB_REPLICAS > 1, which makes it the database cache (docs/production.md).
    "default": env.cache_url("LOANHUB_CACHE_URL", default="locmemcache://loanhub"),
    # Rendered portal pages for anonymous visitors (cms.middleware), cleared on
    # publish. Several server processes need a shared one, e.g.
    # LOANHUB_PAGE_CACHE_URL=filecache:///var/tmp/loanhub-pages or a Redis URL.
    "pages": env.cache_url("LOANHUB_PAGE_CACHE_URL", default="locmemcache://loanhub-pages"),
}
LOANHUB_PAGE_CACHE_SECONDS = env.int("LOANHUB_PAGE_CACHE_SECONDS", default=300)

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Wagtail
WAGTAIL_SITE_NAME = "LoanHub 信易贷"
WAGTAILADMIN_USER_LOGIN_FORM = "loanhub.accounts.forms.BackOfficeLoginForm"  # labels in Chinese
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "xlsx", "docx", "txt", "jpg", "png"]
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party requests from the back office
# Passwords are changed and reset on the portal only (/accounts/password/, whose
# re-check counts toward the lockout); the back office links there instead.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False

REST_FRAMEWORK = {
    # API tokens (loanhub/api/authentication.py) for other systems; the session
    # (with CSRF) for the portal's own pages.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "loanhub.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "loanhub.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "loanhub.api.schema.AutoSchema",
    "DEFAULT_METADATA_CLASS": "loanhub.api.metadata.InputMetadata",  # OPTIONS
    "EXCEPTION_HANDLER": "loanhub.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("LOANHUB_API_AUTH_RATE", default="10/min"),  # per IP address
        "expensive": env("LOANHUB_API_EXPENSIVE_RATE", default="60/min"),  # per user
        "report_verify": env("LOANHUB_REPORT_VERIFY_RATE", default="30/min"),  # per IP address
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LoanHub 信易贷 API",
    "DESCRIPTION": (
        "REST API v1 of the LoanHub credit-easy-loan platform. Authenticate with "
        "`Authorization: Token <key>` (POST /api/v1/auth/token/). Errors are "
        '`{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Self-hosted Swagger UI / Redoc assets (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "PREPROCESSING_HOOKS": ["loanhub.api.schema.only_api_v1"],
    "ENUM_NAME_OVERRIDES": {
        "WebhookEventEnum": "loanhub.api.models.WebhookEvent",
        "ProductTypeEnum": "cms.choices.ProductType",
        "LeadStatusEnum": "loanhub.matching.models.LeadStatus",
        "NeedStatusEnum": "loanhub.matching.models.NeedStatus",
        "PurposeEnum": "loanhub.consent.models.Purpose",
        "ReportPurposeEnum": "loanhub.reports.models.ReportPurpose",
        "ReportStatusEnum": "loanhub.reports.models.ReportStatus",
        "LoanStatusEnum": "loanhub.loans.models.LoanStatus",
    },
}
# Throttle counters (loanhub/api/throttling.py) live in their own cache; several
# server processes need a shared one, e.g. LOANHUB_THROTTLE_CACHE_URL=redis://...
CACHES["throttle"] = env.cache_url("LOANHUB_THROTTLE_CACHE_URL", default="locmemcache://loanhub-throttle")
# An API token's identity (token, user, membership, institution; loanhub/api/tokens.py)
# is kept a few seconds and forgotten at once on revocation or any change to its user
# or membership. Several server processes need a shared one, e.g.
# LOANHUB_TOKEN_CACHE_URL=redis://... or filecache:///var/tmp/loanhub-tokens; with a
# per-process one a revocation would reach the other processes only on expiry, so
# production keeps none unless it is set.
CACHES["tokens"] = env.cache_url("LOANHUB_TOKEN_CACHE_URL", default="locmemcache://loanhub-tokens")
LOANHUB_TOKEN_CACHE_SECONDS = env.int("LOANHUB_TOKEN_CACHE_SECONDS", default=10)
# Webhooks to banks' systems (loanhub/api/webhooks.py): https only, except
# http://127.0.0.1 / localhost when DEBUG is on or this is set (tests' receiver).
LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK = env.bool("LOANHUB_WEBHOOK_ALLOW_HTTP_LOOPBACK", default=False)
LOANHUB_WEBHOOK_TIMEOUT = env.float("LOANHUB_WEBHOOK_TIMEOUT", default=5.0)
LOANHUB_WEBHOOK_MAX_ATTEMPTS = env.int("LOANHUB_WEBHOOK_MAX_ATTEMPTS", default=8)
LOANHUB_WEBHOOK_BACKOFF_SECONDS = env.int("LOANHUB_WEBHOOK_BACKOFF_SECONDS", default=30)

# Where trained risk models live (one folder per version).
LOANHUB_MODEL_DIR = env.path("LOANHUB_MODEL_DIR", default=str(VAR_DIR / "models"))
# Rescore everything and the full rematch as partitioned Dask jobs (loanhub/scoring/batch.py):
# a scheduler address (tcp://HOST:8786), "local" for a LocalCluster in the task's process,
# empty (the default) for the in-process path.
LOANHUB_DASK_SCHEDULER = env("LOANHUB_DASK_SCHEDULER", default="")
LOANHUB_DASK_PARTITION_ENTERPRISES = env.int("LOANHUB_DASK_PARTITION_ENTERPRISES", default=5000)
# Uploads served only through views that check who asks (licences, dispute evidence);
# never under MEDIA_ROOT.
LOANHUB_PRIVATE_MEDIA_ROOT = env.path("LOANHUB_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
# The sandbox's synthetic registration register for 企业要素核验 (legal representative's
# name, ID and mobile derived from the USCC). Development and the demo only.
LOANHUB_SANDBOX_REGISTRY = env.bool("LOANHUB_SANDBOX_REGISTRY", default=False)
# The sandbox provider answers an authorization with synthetic records (沙箱数据) for any
# enterprise registered in the demo, keyed by its USCC and LOANHUB_SANDBOX_SEED, so that
# a newcomer gets a profile of its own. Development and the demo only.
LOANHUB_SANDBOX_RECORDS = env.bool("LOANHUB_SANDBOX_RECORDS", default=False)
# 公共信用报告 (loanhub/reports): the CJK TrueType font embedded in the PDF ("path" or
# "path#index" for a TTC; empty: Debian's fonts-wqy-zenhei / -microhei), the largest
# PDF copy the public verification page accepts (its rate per IP address is the
# "report_verify" throttle rate above, LOANHUB_REPORT_VERIFY_RATE).
LOANHUB_REPORT_FONT = env("LOANHUB_REPORT_FONT", default="")
LOANHUB_REPORT_VERIFY_MAX_BYTES = env.int("LOANHUB_REPORT_VERIFY_MAX_BYTES", default=10 * 1024**2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

PLATFORM_NAME = _("LoanHub Credit-Easy-Loan Platform")

# Public-credit data providers (DESIGN.md §3).
LOANHUB_SANDBOX_ENTERPRISES = env.int("LOANHUB_SANDBOX_ENTERPRISES", default=300)
LOANHUB_SANDBOX_SEED = env.int("LOANHUB_SANDBOX_SEED", default=2026)
# Loans the bundled demo model is trained on (sandbox book; out-of-time AUC ≥ 0.75).
LOANHUB_DEMO_MODEL_ENTERPRISES = env.int("LOANHUB_DEMO_MODEL_ENTERPRISES", default=20000)
LOANHUB_HTTP_PROVIDER = {
    "BASE_URL": env("LOANHUB_HTTP_PROVIDER_URL", default=""),
    "APP_KEY": env("LOANHUB_HTTP_PROVIDER_KEY", default=""),
    "APP_SECRET": env("LOANHUB_HTTP_PROVIDER_SECRET", default=""),
    "TIMEOUT": env.float("LOANHUB_HTTP_PROVIDER_TIMEOUT", default=10.0),
    "RETRIES": env.int("LOANHUB_HTTP_PROVIDER_RETRIES", default=3),
}
# Bounds of credit-record imports (loanhub/credit_data/validation.py), checked before
# a file costs much: its size (any format, web and command line alike); for .xlsx,
# the unzipped size, number and compression ratio of its parts before parsing (a
# 155 KB workbook can hold a 150 MB cell); a cell's length (over it, the row is
# rejected and the rest of the file still loads); what a rejected row keeps.
LOANHUB_IMPORT_MAX_FILE_BYTES = env.int("LOANHUB_IMPORT_MAX_FILE_BYTES", default=200 * 1024**2)
LOANHUB_IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int(
    "LOANHUB_IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=100 * 1024**2
)
LOANHUB_IMPORT_XLSX_MAX_PARTS = env.int("LOANHUB_IMPORT_XLSX_MAX_PARTS", default=200)
LOANHUB_IMPORT_XLSX_MAX_RATIO = env.int("LOANHUB_IMPORT_XLSX_MAX_RATIO", default=100)
LOANHUB_IMPORT_MAX_CELL_CHARS = env.int("LOANHUB_IMPORT_MAX_CELL_CHARS", default=32767)
LOANHUB_IMPORT_REJECTED_ROW_CHARS = env.int("LOANHUB_IMPORT_REJECTED_ROW_CHARS", default=4096)

# -- Security (issue 8: OWASP ASVS 5.0 L2, 等保2.0 level 3) ------------------------

# Login protection (django-axes): 5 failures lock that username from that IP for
# 30 minutes — neither everyone from one IP nor one user from everywhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_CLIENT_IP_CALLABLE = "loanhub.security.net.client_ip"
AXES_VERBOSE = False
# Reverse proxies in front of Django that append to X-Forwarded-For (nginx: 1).
LOANHUB_TRUSTED_PROXY_COUNT = env.int("LOANHUB_TRUSTED_PROXY_COUNT", default=0)

# Two-factor authentication (django-otp): required for bank staff and administrators.
LOANHUB_REQUIRE_2FA = env.bool("LOANHUB_REQUIRE_2FA", default=True)
# seed_demo and demo_logins run only where this is on; production.py turns it off.
LOANHUB_DEMO_ALLOWED = True
OTP_TOTP_ISSUER = "LoanHub 信易贷"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no TOTP secrets or backup codes in the Django admin

# Sensitive fields encrypted at rest (loanhub/security/fields.py): Fernet keys,
# comma-separated, the first one encrypts. dev.py/test.py add marked defaults;
# production.py requires the variable.
LOANHUB_FIELD_KEYS = env.list("LOANHUB_FIELD_KEYS", default=[])

# Content-Security-Policy (loanhub/security/middleware.py): the admin sites need
# inline scripts and styles; the portal has none.
# Redoc is not served: its bundle loads Google Fonts and cdn.redoc.ly and runs its search in a
# blob: worker, which this policy refuses; Swagger UI at /api/docs/ covers the same schema.
LOANHUB_CSP_RELAXED_PREFIXES = ["/cms-admin/", "/django-admin/", "/api/docs/"]
# No avatars fetched from gravatar.com (that would send users' e-mail hashes abroad).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
