"""Serambi settings: one module, configured by environment variables.

Every setting a library may need to change is read from the environment
(see docs/operations.md); the defaults run one library on one machine with
SQLite under ``var/``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SERAMBI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _secret_key() -> str:
    """The key from the environment, else one kept in var/ (made once, private)."""
    if key := os.environ.get("SERAMBI_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("SERAMBI_DEBUG", False)
ALLOWED_HOSTS = env_list("SERAMBI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("SERAMBI_CSRF_TRUSTED_ORIGINS", "")

LIBRARY_NAME = os.environ.get("SERAMBI_LIBRARY_NAME", "Perpustakaan Kota")
# The site's public address, for links in e-mails, WhatsApp messages and certificates.
SERAMBI_SITE_URL = os.environ.get("SERAMBI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "serambi.core",
    "serambi.accounts",
    "serambi.catalog",
    "serambi.search",
    "serambi.members",
    "serambi.circulation",
    "serambi.spaces",
    "serambi.programs",
    "serambi.api",
    "serambi.web",
    "serambi.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "serambi.web.middleware.LibraryLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "serambi.urls"
WSGI_APPLICATION = "serambi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "serambi.web.context_processors.library",
            ],
        },
    }
]

# SQLite in WAL mode under var/ unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'serambi.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes writers queue up for the lock instead of failing
        # with "database is locked" halfway through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# A cache in the database every app server and worker shares (rate limits of
# the API's sign-in, for one); `serambi migrate` is followed by
# `serambi createcachetable`, which the Makefile and the test runner both do.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "serambi_cache",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "serambi" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("SERAMBI_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("SERAMBI_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files straight from the apps so `serambi runserver` works
# without collectstatic; production runs collectstatic once.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded MARC files can be large; they are streamed to disk past this size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SERAMBI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = os.environ.get(
    "SERAMBI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# Where the file-based e-mail backend (the demo's) writes one file per message.
EMAIL_FILE_PATH = Path(os.environ.get("SERAMBI_EMAIL_FILE_PATH", VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("SERAMBI_FROM_EMAIL", "perpustakaan@localhost")
# SMTP, used when SERAMBI_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = os.environ.get("SERAMBI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SERAMBI_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("SERAMBI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SERAMBI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SERAMBI_EMAIL_USE_TLS", True)

# Background work (notices, hold expiry, imports) through Django's tasks API:
# the database backend queues it and `serambi worker` runs it. Tests and a
# one-process set-up may use "django_tasks.backends.immediate.ImmediateBackend".
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SERAMBI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# How WhatsApp and SMS notices leave: a dotted path to a MessageGateway
# (serambi.core.gateways); the default writes them to the log, as the console
# e-mail backend does for e-mail.
SERAMBI_MESSAGE_GATEWAY = os.environ.get(
    "SERAMBI_MESSAGE_GATEWAY", "serambi.core.gateways.LogGateway"
)
# The JSON-lines file serambi.core.gateways.FileGateway appends messages to.
SERAMBI_MESSAGE_FILE = Path(os.environ.get("SERAMBI_MESSAGE_FILE", VAR_DIR / "messages.jsonl"))
# Tasks `serambi worker` enqueues once a day (at start, then when the date
# changes): dotted paths of django-tasks tasks that take no arguments.
SERAMBI_DAILY_TASKS = env_list(
    "SERAMBI_DAILY_TASKS",
    "serambi.members.tasks.expire_memberships_task,serambi.circulation.tasks.daily_sweep,"
    "serambi.spaces.tasks.daily_sweep,serambi.programs.tasks.daily_sweep",
)
# Tasks it enqueues every ten minutes (rooms released when nobody came, event reminders).
SERAMBI_FREQUENT_TASKS = env_list(
    "SERAMBI_FREQUENT_TASKS",
    "serambi.spaces.tasks.frequent_sweep,serambi.programs.tasks.send_event_reminders_task",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SERAMBI_LOG_LEVEL", "WARNING")},
}
