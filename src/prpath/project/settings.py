"""Django settings: every value that differs between machines comes from the environment.

PRPATH_DATA_DIR   folder for the SQLite database and the generated secret key (default ./data)
DATABASE_URL      e.g. postgres://user@host:5432/prpath; SQLite in the data folder when unset
PRPATH_SECRET_KEY at least 32 characters; generated into the data folder when unset
PRPATH_DEBUG      1/0 (default 0)
PRPATH_ALLOWED_HOSTS  comma-separated (default localhost,127.0.0.1,[::1])
PRPATH_TIME_ZONE  e.g. Europe/London (default UTC); PRPATH_LOG_LEVEL  DEBUG..CRITICAL (default INFO)
PRPATH_SECURE_COOKIES  1 behind HTTPS; PRPATH_CSRF_TRUSTED_ORIGINS  comma-separated origins
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prpath.project.env import (
    SQLITE_ENGINE,
    env_bool,
    env_choice,
    env_database,
    env_list,
    env_path,
    env_time_zone,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("PRPATH_DATA_DIR", Path.cwd() / "data")

DEBUG = env_bool("PRPATH_DEBUG", default=False)
SECRET_KEY = secret_key("PRPATH_SECRET_KEY", DATA_DIR)
ALLOWED_HOSTS = env_list("PRPATH_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PRPATH_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "prpath.project",
    "prpath.accounts",
    "prpath.audit",
    "prpath.clinic",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # A Content-Type or header Django cannot read is refused before anything reads the request (prpath.project.reading).
    "prpath.project.reading.RefuseUnreadableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Reads the form within its page's size limit, before CsrfViewMiddleware reads it.
    "prpath.clinic.web.middleware.FormDataMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "prpath.clinic.web.middleware.ClinicTimeZoneMiddleware",
    "prpath.clinic.web.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prpath.project.urls"
WSGI_APPLICATION = "prpath.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["prpath.project.local_time"],
        },
    },
]

_database = env_database("DATABASE_URL")
if _database is not None:
    DATABASES = {"default": _database}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": SQLITE_ENGINE,
            "NAME": str(DATA_DIR / "prpath.sqlite3"),
            "OPTIONS": {
                # WAL lets pages read while a check-in is written; IMMEDIATE avoids lock upgrades failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    # Tests on SQLite run in memory, as with Django's own backend (pytest-django recognises only its name).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Guessing passwords: after 10 failures for one login from one address, that pair waits 15 minutes (django-axes).
# Keyed on the pair, so nobody can lock a patient out of reporting from their own phone by typing their email.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "prpath.clinic.web.forms.throttled_login_name"
AXES_LOCKOUT_TEMPLATE = "clinic/locked_out.html"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "given_name", "family_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The locale is the clinic's (Clinic.locale, activated per request); outside a request, British English.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English (United Kingdom)"), ("en-us", "English (United States)")]
TIME_ZONE = env_time_zone("PRPATH_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it, even when serving from finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders: no collectstatic step before `make demo`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_ENGINE = "prpath.project.sessions"  # database sessions; a mangled session cookie is no session
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PRPATH_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("PRPATH_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 60 * 60 * 12  # a working day; patients sign in again after it
