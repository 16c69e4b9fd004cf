"""Django settings: every value that differs between machines comes from the environment.

PRPATH_DATA_DIR   folder for the SQLite database and the generated secret key (default ./data)
DATABASE_URL      e.g. postgres://user@host:5432/prpath; SQLite in the data folder when unset
PRPATH_SECRET_KEY at least 32 characters; generated into the data folder when unset
PRPATH_DEBUG      1/0 (default 0)
PRPATH_ALLOWED_HOSTS  comma-separated (default localhost,127.0.0.1,[::1])
PRPATH_TIME_ZONE  e.g. Europe/London (default UTC); PRPATH_LOG_LEVEL  DEBUG..CRITICAL (default INFO)
PRPATH_CSRF_TRUSTED_ORIGINS  comma-separated origins
PRPATH_HTTPS      1 when people reach the app over HTTPS (a deployment): secure cookies, plain HTTP redirected
                  to HTTPS, HSTS. 0 (default) for plain HTTP on this machine, as `make demo` serves it
PRPATH_SECURE_COOKIES  1/0 (default PRPATH_HTTPS); PRPATH_SSL_REDIRECT  1/0 (default PRPATH_HTTPS)
PRPATH_HSTS_SECONDS  how long browsers keep to HTTPS (default 31536000, a year, with PRPATH_HTTPS and not
                  PRPATH_DEBUG; else 0, none); PRPATH_HSTS_INCLUDE_SUBDOMAINS  1/0 (default 1);
                  PRPATH_HSTS_PRELOAD  1/0 (default 0)
PRPATH_TRUSTED_PROXY_HEADER  the header a reverse proxy in front sets to "https" for HTTPS requests, e.g.
                  X-Forwarded-Proto; only when that proxy always sets or removes it (default: none trusted)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from csp.constants import NONE, SELF

from prpath.project.env import (
    SQLITE_ENGINE,
    env_bool,
    env_choice,
    env_database,
    env_header,
    env_int,
    env_list,
    env_path,
    env_time_zone,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("PRPATH_DATA_DIR", Path.cwd() / "data")

DEBUG = env_bool("PRPATH_DEBUG", default=False)
# A deployment says PRPATH_HTTPS=1; the demo on http://localhost leaves it off, so nothing sends a browser to
# an HTTPS that is not there (nor pins it to HTTPS with HSTS, which a browser keeps for a year).
HTTPS = env_bool("PRPATH_HTTPS", default=False)
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
    "csp",
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
    # Reads the form within its page's size limit, before CommonMiddleware may refuse the Host and its error
    # page, or CsrfViewMiddleware, reads it.
    "prpath.clinic.web.middleware.FormDataMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "prpath.clinic.web.middleware.ClinicTimeZoneMiddleware",
    "prpath.clinic.web.middleware.ChooseClinicMiddleware",
    "prpath.clinic.web.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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
                "prpath.clinic.web.views.memberships.several_clinics",
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

# Guessing passwords: after 10 failures for one login from one address, that pair waits 15 minutes (django-axes),
# wrong old passwords on the password-change page included (forms.ThrottledPasswordChangeForm).
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
# The lockout page: at sign-in, or changing one's password (its wrong old passwords count as failed sign-ins).
AXES_LOCKOUT_CALLABLE = "prpath.clinic.web.views.common.locked_out"
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
SESSION_COOKIE_SECURE = env_bool("PRPATH_SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("PRPATH_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env_int(
    "PRPATH_HSTS_SECONDS", 60 * 60 * 24 * 365 if HTTPS and not DEBUG else 0, minimum=0, maximum=60 * 60 * 24 * 730
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PRPATH_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("PRPATH_HSTS_PRELOAD", default=False)
# Behind a proxy that ends TLS, the app sees plain HTTP: the proxy's header says what the browser used. Only a
# header that proxy always sets (or removes) can be trusted, or anyone could claim HTTPS by sending it.
_proxy_header = env_header("PRPATH_TRUSTED_PROXY_HEADER")
if _proxy_header is not None:
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every page: scripts, styles and images from prpath itself, never inline (a script or style attribute, an
# on...= handler, a javascript: link), nothing from elsewhere, no plugins, no framing (django-csp 4). The
# scripts are files under static/web/; htmx is told not to add its inline indicator styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Preloading HSTS (hstspreload.org) binds the whole domain, its other sites included: that is for the
# domain's owner to choose (PRPATH_HSTS_PRELOAD=1), so `check --deploy` is not asked to warn that it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

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
