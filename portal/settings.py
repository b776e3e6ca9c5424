"""The one settings module. Everything an operator sets comes from the environment.

Development defaults point at the embedded services that `python -m portal.devstack up`
records in `var/services.json`; `PORTAL_ENV=production` refuses to start without the
secrets and servers it needs.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.breaker import give_up_after_timeout
from portal.devstack import load_service_env
from portal.env import envbool, envfloat, envint, envlist, envstr
from portal.ratelimit import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("PORTAL_VAR_DIR") or BASE_DIR / "var")

PORTAL_ENV = envstr("PORTAL_ENV", "development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"PORTAL_ENV must be development or production, got {PORTAL_ENV!r}")
PRODUCTION = PORTAL_ENV == "production"

# Embedded services fill in only what the environment leaves unset.
_EMBEDDED = {} if PRODUCTION else load_service_env(VAR_DIR)


def _service(name: str, default: str = "") -> str:
    value = os.environ.get(name) or _EMBEDDED.get(name) or default
    if not value and PRODUCTION and name in {"DATABASE_URL", "REDIS_URL"}:
        raise ImproperlyConfigured(f"{name} is required when PORTAL_ENV=production")
    return value


def _dev_secret_file(name: str, make: callable) -> str:
    """A development secret generated once into var/, so restarts keep sessions and PII readable."""
    path = VAR_DIR / name
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(make())
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


def _required_in_production(name: str, dev_file: str, make: callable) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} is required when PORTAL_ENV=production")
    return _dev_secret_file(dev_file, make)


SECRET_KEY = _required_in_production("DJANGO_SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(50))
DEBUG = envbool("DJANGO_DEBUG", not PRODUCTION) and not PRODUCTION
ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when PORTAL_ENV=production")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "portal.accounts",  # before allauth, so its templates override allauth's
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "portal.audit",
    "hierarchy",
    "search",
    "recordings",
    "erasure",
    "bulk",
    "redaction",
    "demo",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so pages answered by the middleware below (the 503 page, redirects) carry the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.unavailable.ServiceUnavailableMiddleware",
    "portal.db_watchdog.DatabaseWaitLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.accounts.middleware.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.MfaRequiredMiddleware",
    "portal.accounts.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.accounts.context_processors.portal_context",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------
DATABASE_URL = _service("DATABASE_URL")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "No database: set DATABASE_URL or start the embedded services with `python -m portal.devstack up`"
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django's PostgreSQL backend with its health check bounded (portal/postgresql).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
# psycopg has no read timeout: a web request's queries are watched instead
# (portal/db_watchdog.py). Searches and exports get their statement timeout plus 2 s.
DB_QUERY_WAIT_SECONDS = envfloat("DB_QUERY_WAIT_SECONDS", 5.0)
DB_HEALTH_CHECK_SECONDS = envfloat("DB_HEALTH_CHECK_SECONDS", 1.0)
# Without it psycopg waits for an unreachable server for minutes. Whole seconds (libpq).
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DB_CONNECT_TIMEOUT", 2)
# Per transaction (SET LOCAL), only where a user waits on the answer: never on ingest,
# migrations or purges, which may rightly run for minutes.
SEARCH_STATEMENT_TIMEOUT_MS = envint("SEARCH_STATEMENT_TIMEOUT_MS", 10_000)
EXPORT_STATEMENT_TIMEOUT_MS = envint("EXPORT_STATEMENT_TIMEOUT_MS", 30_000)
CONTACT_STATEMENT_TIMEOUT_MS = envint("CONTACT_STATEMENT_TIMEOUT_MS", 5_000)
# Separate test database names let two suites share one PostgreSQL server.
DATABASES["default"]["TEST"] = {"NAME": envstr("PORTAL_TEST_DB_NAME", "test_portal")}

REDIS_URL = _service("REDIS_URL")
# A paused or partitioned Redis keeps connections open and never answers: only a read
# timeout ends the wait. Redis answers in well under a millisecond when it is well.
REDIS_CONNECT_TIMEOUT = envfloat("REDIS_CONNECT_TIMEOUT", 1.0)
REDIS_SOCKET_TIMEOUT = envfloat("REDIS_SOCKET_TIMEOUT", 1.0)
# After a timeout, each process skips Redis for this long before trying it again.
REDIS_BREAKER_SECONDS = envfloat("REDIS_BREAKER_SECONDS", 5.0)
CACHES = {
    "default": {
        "BACKEND": "portal.cache.BoundedRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "portal"),
        "OPTIONS": {"socket_connect_timeout": REDIS_CONNECT_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT},
    }
}

S3_ENDPOINT_URL = _service("S3_ENDPOINT_URL") or None
AWS_REGION = os.environ.get("AWS_REGION") or _EMBEDDED.get("AWS_REGION") or "us-east-1"
AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or _EMBEDDED.get("AWS_ACCESS_KEY_ID") or None
AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or _EMBEDDED.get("AWS_SECRET_ACCESS_KEY") or None
# SSE headers only where the store supports them (AWS: aws:kms; the embedded S3 has no KMS).
S3_SSE = envstr("S3_SSE", "aws:kms" if PRODUCTION else "")
# A read timeout applies to each socket read (not a whole download); failed calls are
# retried by botocore up to S3_MAX_ATTEMPTS in all, and fetch tasks retry on top.
S3_CONNECT_TIMEOUT = envfloat("S3_CONNECT_TIMEOUT", 2.0)
S3_READ_TIMEOUT = envfloat("S3_READ_TIMEOUT", 5.0)
S3_MAX_ATTEMPTS = envint("S3_MAX_ATTEMPTS", 2)
S3_SSE_KMS_KEY_ID = envstr("S3_SSE_KMS_KEY_ID")

CONNECT_INSTANCE_ARN = envstr(
    "CONNECT_INSTANCE_ARN",
    "arn:aws:connect:ap-northeast-1:123456789012:instance/00000000-0000-4000-8000-000000000001",
)
CONNECT_BUCKET = envstr("CONNECT_BUCKET", "amazon-connect-demo")
CTR_SOURCE = envstr("CTR_SOURCE", f"s3://{CONNECT_BUCKET}/ctr/")
ANALYSIS_PREFIX = envstr("ANALYSIS_PREFIX", "Analysis/")

# --- PII protection ----------------------------------------------------------
PORTAL_DATA_KMS_KEY_ID = envstr("PORTAL_DATA_KMS_KEY_ID")
if PORTAL_DATA_KMS_KEY_ID:
    PORTAL_DATA_KEY = envstr("PORTAL_DATA_KEY")  # resolved through KMS by portal.crypto
else:
    PORTAL_DATA_KEY = _required_in_production(
        "PORTAL_DATA_KEY", "data_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode()
    )

# --- Product limits ----------------------------------------------------------
CONTACT_RETENTION_DAYS = envint("CONTACT_RETENTION_DAYS", 730)
AUDIT_RETENTION_DAYS = envint("AUDIT_RETENTION_DAYS", 2557)
RECORDING_CACHE_DIR = Path(envstr("RECORDING_CACHE_DIR") or VAR_DIR / "cache" / "recordings")
RECORDING_CACHE_TTL_SECONDS = envint("RECORDING_CACHE_TTL_SECONDS", 3600)
RECORDING_CACHE_MAX_BYTES = envint("RECORDING_CACHE_MAX_BYTES", 2 * 1024**3)
AUDIO_URL_TTL_SECONDS = envint("AUDIO_URL_TTL_SECONDS", 600)
SEARCH_RESULT_CAP = envint("SEARCH_RESULT_CAP", 10000)
EXPORT_ROW_CAP = envint("EXPORT_ROW_CAP", 3000)
INGEST_POLL_SECONDS = envint("INGEST_POLL_SECONDS", 60)
# /healthz answers within this (plus a little): every check runs at once with this deadline.
HEALTH_CHECK_TIMEOUT = envfloat("HEALTH_CHECK_TIMEOUT", 1.0)

# --- The portal's own redaction (redaction/) -----------------------------------
# Contact Lens analyses these languages but does not redact them: the portal redacts
# their transcripts and silences their recordings itself, so redacted-only users may
# read and hear them. Its files go under a prefix of its own in CONNECT_BUCKET, never
# under Connect's prefixes (which the ingest poller reads).
PORTAL_REDACT_LANGUAGES = envlist("PORTAL_REDACT_LANGUAGES", ["ja-JP"])
PORTAL_REDACTION_PREFIX = envstr("PORTAL_REDACTION_PREFIX", "portal-redacted/")
# Added before and after each entity placed inside its turn (speech rate is not even).
PORTAL_REDACTION_MARGIN_MS = envint("PORTAL_REDACTION_MARGIN_MS", 350)

# --- Bulk actions on a search's results (bulk/) ---------------------------------
# A bulk legal hold, deletion or zip takes at most this many contacts (and never more
# than a search shows).
BULK_ACTION_MAX_CONTACTS = envint("BULK_ACTION_MAX_CONTACTS", 1000)

# --- Erasing one customer (erasure/) ---------------------------------------------
# A run whose heartbeat is older than this has died (a redelivered task takes over at
# once). S3 deletions of a batch of contacts run this many at a time, since each one
# mostly waits on S3. manage.py erase_customer writes its certificate under this folder.
ERASURE_CLAIM_STALE_SECONDS = envint("ERASURE_CLAIM_STALE_SECONDS", 300)
ERASURE_S3_CONCURRENCY = envint("ERASURE_S3_CONCURRENCY", 16)
ERASURE_CERTIFICATE_DIR = Path(envstr("ERASURE_CERTIFICATE_DIR") or VAR_DIR / "erasures")

# --- Rate limits (portal/ratelimit.py explains them) ---------------------------
API_RATE_LIMIT = envstr("API_RATE_LIMIT", "10/s,burst=20")
parse_rate(API_RATE_LIMIT)  # a typo fails at start-up, naming the variable
EXPORT_CONCURRENCY_PER_USER = envint("EXPORT_CONCURRENCY_PER_USER", 2)
EXPORT_LEASE_SECONDS = envint("EXPORT_LEASE_SECONDS", 120)
RATE_LIMIT_REDIS_TIMEOUT_MS = envint("RATE_LIMIT_REDIS_TIMEOUT_MS", 200)
RATE_LIMIT_RETRY_SECONDS = envint("RATE_LIMIT_RETRY_SECONDS", 5)
RATE_LIMIT_KEY_PREFIX = envstr("RATE_LIMIT_KEY_PREFIX", envstr("CACHE_KEY_PREFIX", "portal") + ":ratelimit")

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_QUEUE", "portal")
# A worker killed mid-task must not lose it: acknowledge only after the task ran.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    # Bounds publishing (and every synchronous command); the worker's BRPOP waits in
    # the event loop, not on a blocking read, so it is not cut short by this.
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    # Opening a channel for a publish: one more try, not kombu's retry-until-timeout.
    "max_retries": 1,
}
# One quick retry of a publish (a restarted Redis leaves stale pooled connections),
# none after a timeout: apply_async waits at most about REDIS_SOCKET_TIMEOUT when Redis
# is paused, and fails at once when it is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": envint("BROKER_PUBLISH_RETRIES", 1),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    "errback": give_up_after_timeout,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A deletion that meets S3 or PostgreSQL down retries after 2, 4, 8 ... seconds (with
# jitter), at most RECORDING_DELETE_RETRY_MAX_SECONDS apart. The broker's visibility
# timeout must stay longer than that: a retry waiting for its countdown is unacknowledged.
RECORDING_DELETE_RETRY_BACKOFF = envint("RECORDING_DELETE_RETRY_BACKOFF", 2)
RECORDING_DELETE_RETRY_MAX_SECONDS = envint("RECORDING_DELETE_RETRY_MAX_SECONDS", 300)
# A recording DELETING for this long without a change has lost its task (retries
# exhausted, or a queue restarted without its messages): beat sends it again.
RECORDING_DELETE_RESEND_SECONDS = envint("RECORDING_DELETE_RESEND_SECONDS", 900)

# --- Accounts ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "portal.accounts.adapters.PortalAccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/ip,5/5m/key",
    "reset_password": "5/m/ip,3/m/key",
}
SOCIALACCOUNT_ADAPTER = "portal.accounts.adapters.PortalSocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = envbool("SSO_AUTO_CREATE_USERS", False)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
MFA_ADAPTER = "portal.accounts.adapters.PortalMFAAdapter"
MFA_TOTP_ISSUER = envstr("MFA_TOTP_ISSUER", "Connect Contact Portal")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Single sign-on: each provider appears (and its button shows) only when configured.
SOCIALACCOUNT_PROVIDERS: dict = {}
if envstr("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": envstr("OIDC_PROVIDER_ID", "sso"),
                "name": envstr("OIDC_NAME", "Single sign-on"),
                "client_id": envstr("OIDC_CLIENT_ID"),
                "secret": envstr("OIDC_CLIENT_SECRET"),
                "settings": {"server_url": envstr("OIDC_SERVER_URL")},
            }
        ],
    }
if envstr("SAML_IDP_ENTITY_ID"):
    SOCIALACCOUNT_PROVIDERS["saml"] = {
        "APPS": [
            {
                "provider_id": envstr("SAML_IDP_ENTITY_ID"),
                "name": envstr("SAML_NAME", "SAML sign-in"),
                "client_id": envstr("SAML_ORGANIZATION", "portal"),
                "settings": {
                    "attribute_mapping": {
                        "uid": envstr("SAML_UID_ATTRIBUTE", "uid"),
                        "email": envstr("SAML_EMAIL_ATTRIBUTE", "email"),
                    },
                    "idp": {
                        "entity_id": envstr("SAML_IDP_ENTITY_ID"),
                        "metadata_url": envstr("SAML_IDP_METADATA_URL"),
                    },
                },
            }
        ]
    }
EMAIL_BACKEND = envstr(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "portal@localhost")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Without DEBUG (as `make run` serves), development still finds static files without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Production hardening ----------------------------------------------------
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Scripts only from our own static files: no inline script, no eval, no third party.
# Inline styles stay allowed (templates and the admin carry style attributes; a style
# cannot run code). No form-action: SSO sign-in posts and redirects to the identity provider.
CONTENT_SECURITY_POLICY = {
    # JSON answers run no script; building the header for them cost every API call.
    "EXCLUDE_URL_PREFIXES": ["/api/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Request bodies other than files (forms, API JSON) stay under Django's own cap; the one
# file upload (security-profile import) checks its size in its form.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "urllib3": {"level": "WARNING"}},
}
