"""BIF settings: one module, every deployment difference comes from the environment.

See README.md ("Configuration") for the variables. Defaults give a working demo on SQLite
with Celery in eager mode; production sets DEBUG=0 and real values.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The default key only serves a local demo; `check --deploy` flags it (security.W009).
SECRET_KEY = env("SECRET_KEY", "django-insecure-bif-demo-key-change-me-in-production")
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
    "rest_framework.authtoken",
    "guardian",
    "bif",
    "departments",
    "departments.rollout",
    "statistics_office",
    "statistics_office.microdata",
    "statistics_office.tables",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

# --- Databases -------------------------------------------------------------------------
# `default` holds everything the portal shows; `sealed` holds the statistics office's
# microdata and only the office's processes get its credentials. SEALED_DATABASE_URL=none
# starts a process without it (the portal as deployed for all staff).
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bif.sqlite3'}")
SEALED_DATABASE_URL = env("SEALED_DATABASE_URL", f"sqlite:///{VAR_DIR / 'sealed.sqlite3'}")
SEALED_DATABASE_AVAILABLE = SEALED_DATABASE_URL.strip().lower() not in {"", "none", "off"}

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if SEALED_DATABASE_AVAILABLE:
    DATABASES["sealed"] = dj_database_url.parse(SEALED_DATABASE_URL, conn_max_age=60)
for _alias, _db in DATABASES.items():
    if _db["ENGINE"].endswith("sqlite3"):
        # Imports write a lot at once; WAL keeps readers going meanwhile.
        _db.setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
        _db["OPTIONS"]["timeout"] = 30
        _db["CONN_MAX_AGE"] = 0
        _db["TEST"] = {"NAME": None}
DATABASE_ROUTERS = ["bif.db_router.SealedRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
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
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))

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
IMPORT_MAX_UPLOAD_BYTES = int(env("IMPORT_MAX_UPLOAD_BYTES", str(500 * 1024 * 1024)))
# CSV files above this size are read, checked and loaded in chunks of IMPORT_CHUNK_ROWS.
# Chunks are also faster than one big frame (measured: 1M rows 5.3 s chunked, 6.8 s whole).
IMPORT_CHUNK_BYTES = int(env("IMPORT_CHUNK_BYTES", str(32 * 1024 * 1024)))
IMPORT_CHUNK_ROWS = int(env("IMPORT_CHUNK_ROWS", "500000"))
# A running import without progress for this long counts as interrupted (worker died).
IMPORT_STALE_SECONDS = int(env("IMPORT_STALE_SECONDS", "600"))
# Uploads of failed, cancelled or rolled-back runs are kept this long for a retry, then
# deleted (accepted uploads are deleted at once: the sealed database holds the data).
IMPORT_UPLOAD_RETENTION_DAYS = int(env("IMPORT_UPLOAD_RETENTION_DAYS", "30"))
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
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "fail-stale-import-runs": {"task": "departments.fail_stale_runs", "schedule": 300.0},
    "expire-grants": {"task": "statistics_office.expire_grants", "schedule": 900.0},
}
CELERY_TIMEZONE = TIME_ZONE

# --- REST API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}

# Secret for the stable record keys of the cell key method. Keep it when SECRET_KEY
# rotates: new keys would give new noise, and differencing old and new tables would leak.
BIF_RECORD_KEY_SECRET = env("BIF_RECORD_KEY_SECRET", SECRET_KEY)

# --- Disclosure control display convention -------------------------------------------
BIF_SECRET_SIGN = env("BIF_SECRET_SIGN", ".")

# --- Security (production defaults whenever DEBUG is off) ----------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG and SECRET_KEY.startswith("django-insecure") and env_bool("REQUIRE_SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")

# --- Logging: never microdata. Only messages, ids and counts are logged. -------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
