"""Django settings, read from the environment (see docs/operations.md for every variable)."""

from __future__ import annotations

import os

import dj_database_url

from qiancheng.env import SettingError, data_dir, env_bool, env_choice, env_int, env_list, kept_secret

BASE_DIR = data_dir()
DEBUG = env_bool("QIANCHENG_DEBUG", False)
# 64 characters: Django's deploy check (security.W009) asks for at least 50.
SECRET_KEY = kept_secret("QIANCHENG_SECRET_KEY", BASE_DIR, "secret.key", nbytes=48, min_length=50)
# The key for personal data at rest (PIPL); see qiancheng/people/crypto.py and docs/adr.
DATA_KEY = kept_secret("QIANCHENG_DATA_KEY", BASE_DIR, "data.key")
# Earlier data keys, comma separated: they only decrypt old tokens while a rotation re-encrypts them.
DATA_KEYS_RETIRED = env_list("QIANCHENG_DATA_KEYS_RETIRED", [])
ALLOWED_HOSTS = env_list("QIANCHENG_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the OpenAPI docs page's assets from the package, not a CDN
    "csp",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below); its system checks
    # Officials' second factor (等保 level 3): authenticator-app codes and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "qiancheng.accounts",
    "qiancheng.web",
    "qiancheng.catalog",
    "qiancheng.sanctions",
    "qiancheng.people",
    "qiancheng.providers",
    "qiancheng.demand",
    "qiancheng.projects",
    "qiancheng.training",
    "qiancheng.evaluation",
    "qiancheng.funding",
    "qiancheng.insight",
    "qiancheng.risk",
    "qiancheng.brands",
    "qiancheng.policy",
    "qiancheng.synth",
    "qiancheng.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "qiancheng.accounts.hostile_input.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qiancheng.accounts.session_policy.SessionPolicyMiddleware",
    "qiancheng.accounts.second_factor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "qiancheng.urls"
WSGI_APPLICATION = "qiancheng.wsgi.application"

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
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        if not url.startswith(("postgres://", "postgresql://")):
            raise SettingError(f"DATABASE_URL: only PostgreSQL URLs are supported, got {url.split(':')[0]!r}")
        config = dj_database_url.parse(url, conn_max_age=env_int("QIANCHENG_DB_CONN_MAX_AGE", 60))
        config.setdefault("TEST", {})
        if os.environ.get("QIANCHENG_TEST_DB_NAME"):
            config["TEST"]["NAME"] = os.environ["QIANCHENG_TEST_DB_NAME"]
        return config
    BASE_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "qiancheng.sqlite3",
        "OPTIONS": {
            # WAL lets pages read while a job writes; FULL sync because these are public-money records;
            # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "qiancheng.accounts.passwords.GuessablePasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = env_int("QIANCHENG_SESSION_SECONDS", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# 等保 level 3: a session also ends after this long without a request (accounts/session_policy.py).
SESSION_IDLE_SECONDS = env_int("QIANCHENG_SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_SECURE = env_bool("QIANCHENG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind the TLS-terminating proxy of docs/operations.md: the proxy says the request came over HTTPS
# (X-Forwarded-Proto), the browser's Origin is the public https address, and browsers are told to stay on
# HTTPS (HSTS) whenever cookies are secure.
CSRF_TRUSTED_ORIGINS = env_list("QIANCHENG_TRUSTED_ORIGINS", [])
if env_bool("QIANCHENG_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("QIANCHENG_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("QIANCHENG_HSTS_SECONDS", 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# A year of HSTS is what the browsers' preload list asks for; a site that must stay reachable over plain
# http on a subdomain sets QIANCHENG_HSTS_PRELOAD=false.
SECURE_HSTS_PRELOAD = env_bool("QIANCHENG_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 365 * 24 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
LOGIN_FAILURE_LIMIT = env_int("QIANCHENG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_SECONDS = env_int("QIANCHENG_LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1)
# Higher than the per-username limit: a bureau's staff share one NAT address (accounts/lockout.py).
LOGIN_IP_FAILURE_LIMIT = env_int("QIANCHENG_LOGIN_IP_FAILURE_LIMIT", 4 * LOGIN_FAILURE_LIMIT, minimum=1)
# How many enrolment checks (the engine's prediction for a number and a name) one institution may make in an
# hour: enough for a class's intake, too few to sweep the register (training/services/enrolment.py).
ENROLMENT_CHECKS_PER_HOUR = env_int("QIANCHENG_ENROLMENT_CHECKS_PER_HOUR", 300, minimum=1)
# The second factor (accounts/second_factor.py): the name an authenticator app shows, and no throttle of the
# plugin's own: wrong codes are counted by accounts/lockout.py like wrong passwords (LOGIN_FAILURE_LIMIT).
OTP_TOTP_ISSUER = "前程 Qiancheng"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
API_TOKEN_SECONDS = env_int("QIANCHENG_API_TOKEN_SECONDS", 24 * 3600, minimum=60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [os.path.join(os.path.dirname(__file__), "locale")]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic fills it; WhiteNoise expects it to exist
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Hashed names and gzip/brotli copies made by collectstatic (which `qiancheng serve` and `demo` run first);
# WhiteNoise serves a hashed name with a ten-year immutable cache. Before any collectstatic (the tests, a
# bare `runserver`) the storage falls back to the plain name, served from the apps by the finders
# (web/staticstorage.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "qiancheng.web.staticstorage.HashedOrPlainStaticStorage"},
}

# Content-Security-Policy (django-csp): no inline script or style anywhere; the pages' scripts are files
# under static/, data reaches them through data-* attributes and json_script (type application/json,
# which the browser never runs). Nothing may frame the site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# Long work (roster checks, scans) runs off the request on a task queue (ADR 0005). "database" keeps the
# queue in our own database, worked by `qiancheng worker` (which `qiancheng serve` and `demo` start beside
# the site); "immediate" runs each task inside the call that enqueues it (the test suite's default).
TASK_BACKENDS = {"database": "django_tasks_db.DatabaseBackend",
                 "immediate": "django_tasks.backends.immediate.ImmediateBackend"}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env_choice("QIANCHENG_TASK_BACKEND", "database", [*TASK_BACKENDS])]}}
# A task running longer than this is taken for one whose worker died (killed, machine lost) and is run again:
# every task is written to be safe to repeat.
TASK_LEASE_SECONDS = env_int("QIANCHENG_TASK_LEASE_SECONDS", 30 * 60, minimum=60)

DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("QIANCHENG_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("QIANCHENG_LOG_LEVEL", "WARNING")},
}
