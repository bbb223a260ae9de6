"""BIF settings: one module, every deployment difference comes from the environment.

See README.md ("Configuration") for the variables. Defaults give a working demo on SQLite
with Celery in eager mode; production sets DEBUG=0 and real values.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bif.env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", False)
# Production says DEBUG=0 (docker-compose.yml does); then no demo secret is accepted. Without
# DEBUG at all (a developer's shell, the test suite) the demo key only draws a warning from
# `check --deploy` (security.W009).
PRODUCTION = not DEBUG and (bool((env("DEBUG") or "").strip()) or env_bool("REQUIRE_SECRET_KEY"))
DEMO_SECRET_KEY = "django-insecure-bif-demo-key-change-me-in-production"
SECRET_KEY = env("SECRET_KEY") or DEMO_SECRET_KEY
if PRODUCTION and SECRET_KEY == DEMO_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in production (DEBUG=0): the demo key is public."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

VAR_DIR = Path(env("BIF_VAR_DIR", str(BASE_DIR / "var")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads land here and are never served (no MEDIA_URL route). This is the drop location
# from which the statistics office's worker takes them; a consumed upload is deleted.
UPLOAD_ROOT = Path(env("UPLOAD_ROOT", str(MEDIA_ROOT / "uploads")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "bif",
    "bif.geography",
    "departments",
    "rollout",
    "statistics_office",
    "statistics_office.microdata",
    "statistics_office.tables",
    "statistics_office.builder",
    "dissemination",
    "indicators",
    "table_builder",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "bif.security.PermissionsPolicyMiddleware",
    "bif.security.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out login into the 429 answer (bif.security.lockout_response).
    "axes.middleware.AxesMiddleware",
    # Open-data mode (BIF_OPEN_DATA_MODE=1): only the open tables' read-only endpoints.
    "dissemination.middleware.OpenDataOnly",
]

ROOT_URLCONF = "bif.urls"
WSGI_APPLICATION = "bif.wsgi.application"
ASGI_APPLICATION = "bif.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bif.context_processors.navigation",
            ],
        },
    },
]

# Answers below these paths carry `Cache-Control: no-store` (bif.security.NoStoreMiddleware):
# the sealed side (microdata, exports, audit log, grants), import runs and findings,
# unpublished tables, the login and token pages, the admin.
NO_STORE_PATHS = [
    "/statistikstelle/",
    "/tabellen/statistikstelle/",
    "/katalog/importe/",
    "/katalog/hochladen/",
    "/api/v1/imports/",
    "/api/v1/table-definitions/",
    "/api/v1/table-computations/",
    "/konto/",
    "/admin/",
]

# --- Databases -------------------------------------------------------------------------
# `default` holds everything the portal shows; `sealed` holds the statistics office's
# microdata and only the office's processes get its credentials. SEALED_DATABASE_URL=none
# starts a process without it (the portal as deployed for all staff).
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bif.sqlite3'}")
SEALED_DATABASE_URL = env("SEALED_DATABASE_URL", f"sqlite:///{VAR_DIR / 'sealed.sqlite3'}")
SEALED_DATABASE_AVAILABLE = SEALED_DATABASE_URL.strip().lower() not in {"", "none", "off"}

# Persistent connections are checked before reuse: after a database restart the first
# request of each process would otherwise fail on a connection the server had closed.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if SEALED_DATABASE_AVAILABLE:
    DATABASES["sealed"] = dj_database_url.parse(
        SEALED_DATABASE_URL, conn_max_age=60, conn_health_checks=True
    )
for _alias, _db in DATABASES.items():
    if _db["ENGINE"].endswith("sqlite3"):
        # Imports write a lot at once; WAL keeps readers going meanwhile.
        _db.setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
        _db["OPTIONS"]["timeout"] = 30
        # A deferred transaction that reads, then writes, fails at once with "database is
        # locked" when another writer got in between (the busy timeout does not apply to
        # that upgrade). IMMEDIATE takes the write lock at BEGIN and waits for it instead.
        _db["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
        _db["CONN_MAX_AGE"] = 0
        _db["TEST"] = {"NAME": None}
DATABASE_ROUTERS = ["bif.db_router.SealedRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked (django-axes).
    "bif.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Every page needs a login, so guardian's anonymous user would only be a second way in.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Argon2id for new and changed passwords; the others only verify old hashes, which are
# upgraded to Argon2 at the next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for the same user
# name from the same address, that pair is locked for AXES_COOLOFF_MINUTES (0: until an
# administrator resets it with `manage.py axes_reset_username <name>` or in the admin).
# Name and address together, so that nobody can lock a colleague out from elsewhere.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
_axes_cooloff = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=_axes_cooloff) if _axes_cooloff else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bif.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address, for the lockout and the audit log (bif.security.client_address):
# behind TRUSTED_PROXY_COUNT reverse proxies (1 with BEHIND_TLS_PROXY=1) it is the address the
# outermost trusted proxy appended to X-Forwarded-For; entries further left are the client's
# own claims and never count. With 0 only REMOTE_ADDR counts.
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0
)
AXES_CLIENT_IP_CALLABLE = "bif.security.client_address"
# Data minimisation: axes would log every successful login with address and browser; the
# audit log already records what the office must account for. No banner on every command.
AXES_DISABLE_ACCESS_LOG = env_bool("AXES_DISABLE_ACCESS_LOG", True)
AXES_VERBOSE = False

# --- Internationalisation: German first ----------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("Englisch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files: all assets local, served by WhiteNoise ----------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)

# --- Uploads -------------------------------------------------------------------------
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)
# CSV files above this size are read, checked and loaded in chunks of IMPORT_CHUNK_ROWS.
# Chunks are also faster than one big frame (measured: 1M rows 5.3 s chunked, 6.8 s whole).
IMPORT_CHUNK_BYTES = env_int("IMPORT_CHUNK_BYTES", 32 * 1024 * 1024)
IMPORT_CHUNK_ROWS = env_int("IMPORT_CHUNK_ROWS", 150000)
# Large versions are aggregated by DuckDB from a Parquet snapshot written at load time
# (statistics_office/microdata/snapshots.py): "auto" (default) or "postgres" (no snapshots).
BIF_AGGREGATION_ENGINE = env("BIF_AGGREGATION_ENGINE", "auto")
if BIF_AGGREGATION_ENGINE not in ("auto", "postgres"):
    raise ImproperlyConfigured("BIF_AGGREGATION_ENGINE must be 'auto' or 'postgres'")
BIF_DUCKDB_MIN_ROWS = env_int("BIF_DUCKDB_MIN_ROWS", 200_000)
BIF_DUCKDB_THREADS = env_int("BIF_DUCKDB_THREADS", 2)
BIF_DUCKDB_MEMORY_MB = env_int("BIF_DUCKDB_MEMORY_MB", 1024)
# The snapshots are microdata: a directory of the statistics office's hosts only.
SEALED_SNAPSHOT_ROOT = Path(env("SEALED_SNAPSHOT_ROOT", str(VAR_DIR / "sealed-snapshots")))
# Workbooks are scanned in a stream against these limits before parsing, and parsed in a
# child process with IMPORT_XLSX_MEMORY_MB of address space (departments.importing.xlsx_scan
# and xlsx_process; the finding names the limit that was crossed).
IMPORT_XLSX_LIMITS = {
    "max_rows": env_int("IMPORT_XLSX_MAX_ROWS", 1048576),
    "max_columns": env_int("IMPORT_XLSX_MAX_COLUMNS", 1000),
    "max_cells": env_int("IMPORT_XLSX_MAX_CELLS", 3000000),
    "max_cell_chars": 32_767,
    "max_shared_strings": env_int("IMPORT_XLSX_MAX_SHARED_STRINGS", 3000000),
    "max_shared_strings_mb": env_int("IMPORT_XLSX_MAX_SHARED_STRINGS_MB", 200),
    "memory_mb": env_int("IMPORT_XLSX_MEMORY_MB", 2048),
    "timeout_seconds": env_int("IMPORT_XLSX_TIMEOUT_SECONDS", 600),
}
# A running import without progress for this long counts as interrupted (worker died).
IMPORT_STALE_SECONDS = env_int("IMPORT_STALE_SECONDS", 600)
# The same for a table computation (bif.jobs): it reports progress at every step.
TABLE_STALE_SECONDS = env_int("TABLE_STALE_SECONDS", 600)
# The table builder (statistics_office.builder): queries per person and day, over all
# sources and per source; related queries (same table, filters sharing a category, or the
# filter's field shown as a dimension) per day before the next is refused (with 1 the
# averaging attack of tests/table_builder/test_attack.py gets no pair of answers); how long
# a page waits for the sealed worker's answer.
TABLE_BUILDER_DAILY_QUERIES = env_int("TABLE_BUILDER_DAILY_QUERIES", 100)
TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE = env_int("TABLE_BUILDER_DAILY_QUERIES_PER_SOURCE", 40)
TABLE_BUILDER_RELATED_QUERIES = env_int("TABLE_BUILDER_RELATED_QUERIES", 1)
TABLE_BUILDER_WAIT_SECONDS = env_int("TABLE_BUILDER_WAIT_SECONDS", 20)
# Uploads of failed, cancelled or rolled-back runs are kept this long for a retry, then
# deleted (accepted uploads are deleted at once: the sealed database holds the data).
IMPORT_UPLOAD_RETENTION_DAYS = env_int("IMPORT_UPLOAD_RETENTION_DAYS", 30)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Celery --------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_DEFAULT_QUEUE = "portal"
# Work that touches microdata goes to the statistics office's own worker.
CELERY_TASK_ROUTES = {
    "statistics_office.*": {"queue": "sealed"},
    "departments.*": {"queue": "sealed"},
    # Releasing an embargoed table is a publication (joint protection reads sealed data).
    "dissemination.release_due": {"queue": "sealed"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task has time limits: at the soft limit the task gets an exception and ends its job
# row failed; at the hard limit the worker process is killed and the stale check ends it.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 2 * 3600)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 2 * 3600 + 300)
# A broker restart must not cancel a running import: it needs only the databases and ends in
# a clear state by itself (tests/bench/faults.py). Pinned, as Celery 6 turns this on.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BEAT_SCHEDULE = {
    # Embargo: reviewed tables scheduled for release are published when their time comes.
    "release-due-tables": {"task": "dissemination.release_due", "schedule": 60.0},
    "fail-stale-import-runs": {"task": "departments.fail_stale_runs", "schedule": 300.0},
    "fail-stale-table-computations": {
        "task": "statistics_office.tables.fail_stale_computations",
        "schedule": 300.0,
    },
    "expire-grants": {"task": "statistics_office.expire_grants", "schedule": 900.0},
    "purge-uploads": {"task": "departments.purge_uploads", "schedule": 24 * 3600.0},
}
CELERY_TIMEZONE = TIME_ZONE

# --- REST API ------------------------------------------------------------------------
# Conventions for every endpoint (README "API"): token or session, paginated lists, one
# error body (bif/api/errors.py), one OpenAPI 3 schema generated from the views.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with `WWW-Authenticate: Token`.
        "bif.api.auth.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The browsable API renders forms and data for people; off unless DEBUG=1.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "bif.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "bif.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "BIF API",
    "DESCRIPTION": (
        "Schnittstelle des BI-Portals der Stadtverwaltung: Datenquellen, Importe, "
        "veröffentlichte Tabellen und Dashboards. Anmeldung mit API-Token "
        "(`Authorization: Token …`, unter /konto/api-token/) oder Sitzung. Listen sind "
        'seitenweise (`page`, `page_size`), Fehler haben immer die Form `{"error": {…}}`.\n\n'
        "API of the city administration's BI portal: data sources, imports, published "
        "tables and dashboards. Authenticate with an API token (`Authorization: Token …`, "
        "created at /konto/api-token/) or a session. Lists are paginated (`page`, "
        '`page_size`); errors always have the form `{"error": {…}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "COMPONENT_NO_READ_ONLY_REQUIRED": False,
    "ENUM_NAME_OVERRIDES": {
        "IndicatorStatusEnum": "indicators.models.Indicator.Status",
        "IndicatorKindEnum": "indicators.models.Indicator.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "bif.api.schema.postprocess_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False, "displayOperationId": True},
}

# Secret for the stable record keys of the cell key method. Keep it when SECRET_KEY
# rotates: new keys would give new noise, and differencing old and new tables would leak.
# In production it must be set on its own (it cannot follow SECRET_KEY's rotation).
BIF_RECORD_KEY_SECRET = env("BIF_RECORD_KEY_SECRET") or ""
if not BIF_RECORD_KEY_SECRET:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "BIF_RECORD_KEY_SECRET must be set in production (DEBUG=0): it keys the record "
            "keys of the cell key method and must survive a rotation of SECRET_KEY."
        )
    BIF_RECORD_KEY_SECRET = SECRET_KEY

# --- Disclosure control display convention -------------------------------------------
BIF_SECRET_SIGN = env("BIF_SECRET_SIGN", ".")

# --- Security (production defaults whenever DEBUG is off) ----------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie: forms carry the token.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
# Browser features no page of BIF uses (bif.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
# Content-Security-Policy (django-csp): every script is a file of our own origin; no inline
# script, no eval. plotly.js sets inline styles on the charts it draws and drf-spectacular's
# Swagger page has a <style> block, so styles allow 'unsafe-inline' (styles cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Who may frame a widget's embed page (dashboards: …/elemente/<id>/einbetten/): CSP
# frame-ancestors sources, comma-separated, e.g. "'self', https://intranet.stadt.example".
# Every other page keeps frame-ancestors 'none'.
BIF_EMBED_FRAME_ANCESTORS = env_list("BIF_EMBED_FRAME_ANCESTORS", "'self'")
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Uploads are never served: WhiteNoise serves every file below STATIC_ROOT, so refuse an
# UPLOAD_ROOT or MEDIA_ROOT there (or below a STATICFILES_DIRS entry).
for _name, _path in (("UPLOAD_ROOT", UPLOAD_ROOT), ("MEDIA_ROOT", MEDIA_ROOT)):
    for _served in (STATIC_ROOT, *STATICFILES_DIRS):
        if Path(_path).resolve().is_relative_to(Path(_served).resolve()):
            raise ImproperlyConfigured(
                f"{_name} ({_path}) lies in the served directory {_served}: "
                "uploads are never served."
            )

# --- Logging: never microdata. Only messages, ids and counts are logged. -------------
# Every handler carries the redaction filter (bif/logging.py): database error details, quoted
# values and query strings never reach a log line. The `django` and `django.server` loggers
# are configured here so that Django's default handlers (without the filter) are replaced.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_microdata": {"()": "bif.logging.RedactMicrodataFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_microdata"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "redact_microdata"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
# Error reports (500 pages with DEBUG, mails to ADMINS) show no local variables, no request
# data and no values from exception messages.
DEFAULT_EXCEPTION_REPORTER_FILTER = "bif.logging.MicrodataSafeReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "bif.logging.MicrodataSafeExceptionReporter"
# The Celery worker keeps this configuration instead of replacing the root handlers with its
# own (which would not carry the filter).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Dissemination (issue 20: formats, permalinks, embargo, DCAT-AP.de, open data) -------
BIF_CITY_NAME = env("BIF_CITY_NAME", "Musterstadt")
# Amtlicher Gemeindeschlüssel: dcatde:politicalGeocodingURI and its level in the catalogue.
# Empty: the city's own data says it (dissemination.CityProfile, set by the demo seed).
BIF_CITY_AGS = env("BIF_CITY_AGS", "")
BIF_PUBLISHER_NAME = env("BIF_PUBLISHER_NAME", f"Stadt {BIF_CITY_NAME}, Statistikstelle")
BIF_PUBLISHER_URL = env("BIF_PUBLISHER_URL", "https://www.example.org/statistik")
BIF_CONTACT_EMAIL = env("BIF_CONTACT_EMAIL", "statistik@example.org")
# dcatde:contributorID of the city in GovData's list of data providers.
BIF_CONTRIBUTOR_ID = env("BIF_CONTRIBUTOR_ID", "http://dcat-ap.de/def/contributors/musterstadt")
# Absolute base of permalinks in feeds and the catalogue (no request there).
BIF_PUBLIC_BASE_URL = env("BIF_PUBLIC_BASE_URL", "http://testserver").rstrip("/")
# Open-data mode: open tables only, read-only, anonymous, rate-limited; run it with
# SEALED_DATABASE_URL=none (docker-compose service "opendata").
BIF_OPEN_DATA_MODE = env_bool("BIF_OPEN_DATA_MODE", False)
BIF_OPEN_DATA_RATE = env("BIF_OPEN_DATA_RATE", "120/min")
if BIF_OPEN_DATA_MODE and SEALED_DATABASE_AVAILABLE:
    raise ImproperlyConfigured(
        "BIF_OPEN_DATA_MODE=1 needs SEALED_DATABASE_URL=none: the open-data process must not "
        "hold credentials for the sealed database."
    )
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"open_data": BIF_OPEN_DATA_RATE}
