"""Settings for the mentorship platform.

Everything that differs between a laptop, CI and production is read from the environment here,
through the small typed helpers below. A value that cannot be parsed stops the process at start-up
with a message naming the variable: a typo in production must not quietly become a default.
"""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int_list(name: str, default: str = "") -> list[int]:
    """Comma-separated whole numbers ("7,1")."""
    items = env_list(name, default)
    try:
        return [int(item) for item in items]
    except ValueError:
        raw = os.environ.get(name, default)
        raise ImproperlyConfigured(
            f"{name} must be whole numbers separated by commas; got {raw!r}"
        ) from None


def env_url(name: str, default: str = "", schemes: tuple[str, ...] = ()) -> str:
    """A URL with one of the given schemes (or empty when there is no default)."""
    raw = os.environ.get(name, default).strip()
    if not raw:
        return ""
    scheme = urlsplit(raw).scheme
    if schemes and scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(s + '://' for s in schemes)}; got {raw!r}"
        )
    return raw


def email_config(url: str) -> dict:
    """Django email settings from EMAIL_URL.

    consolemail:// prints messages, filemail:///dir writes one file per message, locmemmail://
    keeps them in memory (tests), smtp://user:pass@host:port and smtp+tls:// / smtps:// send them.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "consolemail":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmemmail":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme == "filemail":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL filemail:// needs a directory: filemail:///path")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if parts.scheme in {"smtp", "smtp+tls", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL smtp:// needs a host: smtp://user:pass@host:587")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"EMAIL_URL has a bad port: {url!r}") from None
        use_tls = parts.scheme == "smtp+tls" or query.get("tls", [""])[0] in _TRUE
        use_ssl = parts.scheme == "smtps" or query.get("ssl", [""])[0] in _TRUE
        return {
            # Django's, telling "refused" from "maybe delivered" (notifications/backends.py).
            "EMAIL_BACKEND": "notifications.backends.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": use_tls,
            "EMAIL_USE_SSL": use_ssl,
            "EMAIL_TIMEOUT": 20,
        }
    raise ImproperlyConfigured(
        "EMAIL_URL must be consolemail://, filemail:///dir, locmemmail://, smtp://, smtp+tls:// "
        f"or smtps://; got {url!r}"
    )


DEBUG = env_bool("DEBUG", default=False)
# `benchmarks/pages.py` only: serve a trivial view at /bench/trivial/ to measure pages against.
BENCH_TRIVIAL_VIEW = env_bool("BENCH_TRIVIAL_VIEW", default=False)

# A development key is only acceptable while DEBUG is on; production refuses to start without a
# real one, because sessions, password-reset links and unsubscribe links are signed with it.
_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. For development, set DEBUG=1."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random text.")

# Without SITE_URL, links point at the local server on PORT (as `make demo` serves it), so a
# demo on another port sends links that work.
SITE_URL = env_url(
    "SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}", schemes=("http", "https")
).rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
_site_host = urlsplit(SITE_URL).hostname
if _site_host and _site_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_site_host)
CSRF_TRUSTED_ORIGINS = [SITE_URL]

PROGRAM_NAME = env_str("PROGRAM_NAME", "Guided Mentorship Program")
PROGRAM_OFFICE_NAME = env_str("PROGRAM_OFFICE_NAME", "Office of Member Relations")
PROGRAM_OFFICE_EMAIL = env_str("PROGRAM_OFFICE_EMAIL", "memberrelations@example.org")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{PROGRAM_NAME} <{PROGRAM_OFFICE_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

INSTALLED_APPS = [
    "mentorship.apps.ProgramAdminConfig",  # django.contrib.admin, on the project's own site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    # Single sign-on (OpenID Connect); its block is further down. Installed always, so the
    # tables exist; no provider is offered unless OIDC_ISSUER is set.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    # Ours, lowest layer first: a lower app never imports a higher one.
    "core",
    "accounts",
    "notifications",
    "cohorts",
    "applications",
    "matching",
    "meetings",
    "outcomes",
    "privacy",
    "mentorship",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "applications.middleware.MemberTimeZoneMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mentorship.context_processors.program",
            ],
            # {% url %} with its answers remembered, in every template (core/templatetags/links.py).
            "builtins": ["core.templatetags.links"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server, and a statement run five times on a connection kept
    # prepared: PostgreSQL then plans a page's joins once per connection, not per request
    # (the pair query of every workspace page took 3.0 ms, 1.8 ms prepared). Set
    # DB_PREPARED_STATEMENTS=0 behind a pooler in transaction mode (PgBouncer < 1.21), which
    # cannot keep a statement on the server.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: email only, verified before first sign-in; allauth's rate limits stay at their
# defaults, which include failed sign-ins per address and per IP.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PROGRAM_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = urlsplit(SITE_URL).scheme
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- Identity: real names and a second factor (issue 13) -------------------------------------
# Sign-up asks for first and last name (accounts/forms.py).
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Two-step sign-in with an authenticator app (TOTP), and recovery codes for a lost phone.
# Right after allauth.account: accounts/admin.py replaces allauth.mfa's admin, so that one must
# be registered first.
INSTALLED_APPS.insert(INSTALLED_APPS.index("allauth.account") + 1, "allauth.mfa")
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PROGRAM_NAME
# Staff accounts see private data: without a second factor they reach only their account pages
# (where they set one up), not the admin or any staff page. Off by default while DEBUG is on,
# so that the demo's staff account signs in with a password alone.
STAFF_REQUIRE_MFA = env_bool("STAFF_REQUIRE_MFA", default=not DEBUG)
MIDDLEWARE.insert(
    MIDDLEWARE.index("allauth.account.middleware.AccountMiddleware") + 1,
    "accounts.middleware.StaffMFAMiddleware",
)
# --- end of identity -------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise as they are.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
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

# Cache: Redis when configured, so that rate limits hold across several web processes. With
# Redis down it answers from each process's memory (mentorship/cache.py): pages work and the
# rate limits hold per process until it is back.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss"))


def redis_cache(url: str) -> dict:
    return {
        "BACKEND": "mentorship.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "mentorship",
        # A Redis that does not answer within a second is treated as down, not waited for.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# EMAIL_BACKEND and, for SMTP, EMAIL_HOST/PORT/USER/PASSWORD/USE_TLS/USE_SSL.
globals().update(email_config(env_url("EMAIL_URL", "consolemail://")))

# Celery: with no broker configured, tasks run in-process as they are called, so a laptop needs
# no services. With REDIS_URL, Redis is the broker. No task's result is ever read, so there is no
# result backend: publishing with one subscribed to the result first and, with Redis down,
# retried that twenty times, holding a web request for 20 seconds.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In-process, a task's retry runs again at once, as a worker would run it later; a task's
# error is logged rather than raised into the web request that queued it.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 150)
# Our tasks are safe to run twice (they claim their row first), so a task is acknowledged only
# after it ran: a worker killed mid-task leaves it for another worker instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing happens in on-commit hooks of web requests: give up quickly when the broker is down
# and let the sweeper send what was left pending, rather than hanging the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Two deployments sharing one Redis keep their tasks apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TIMEZONE = TIME_ZONE

# Where membership is checked: the imported roster by default; an association's own membership
# API can replace it with a class offering the same `lookup` method.
MEMBERSHIP_CHECKER = env_str(
    "MEMBERSHIP_CHECKER", "applications.membership.RosterMembershipChecker"
)

# Membership checks (a member number and last name) allowed per account and per IP address in
# a window of MEMBERSHIP_CHECK_WINDOW seconds, like allauth's limit on failed sign-ins; 0 turns a
# limit off.
MEMBERSHIP_CHECK_LIMIT_PER_ACCOUNT = env_int("MEMBERSHIP_CHECK_LIMIT_PER_ACCOUNT", 5)
MEMBERSHIP_CHECK_LIMIT_PER_IP = env_int("MEMBERSHIP_CHECK_LIMIT_PER_IP", 20)
MEMBERSHIP_CHECK_WINDOW = env_int("MEMBERSHIP_CHECK_WINDOW", 15 * 60)

# ---------------------------------------------------------------------------------------------
# Single sign-on through the association's OpenID Connect provider (issue 13).
#
# Off unless OIDC_ISSUER is set; then OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required. The
# provider is configured here only, never as a SocialApp row in the database. The sign-in page
# then offers "Sign in with OIDC_NAME"; the provider's claims give the email (linked to an
# existing account only when the provider says it is verified), the name, and, with
# OIDC_MEMBER_NUMBER_CLAIM, the member number that links the membership through
# MEMBERSHIP_CHECKER (applications/sso.py). The redirect URI to register at the provider is
# SITE_URL + /accounts/oidc/<OIDC_PROVIDER_ID>/login/callback/.
# ---------------------------------------------------------------------------------------------
OIDC_PROVIDER_ID = "association"
OIDC_ISSUER = env_url("OIDC_ISSUER", schemes=("https", "http")).rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_NAME = env_str("OIDC_NAME", "your association")
OIDC_SCOPES = env_list("OIDC_SCOPES", "openid,email,profile")
OIDC_MEMBER_NUMBER_CLAIM = env_str("OIDC_MEMBER_NUMBER_CLAIM")
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def oidc_providers(
    *, issuer: str, client_id: str, secret: str, name: str, scopes: list[str]
) -> dict:
    """SOCIALACCOUNT_PROVIDERS for one OpenID Connect provider, or none without an issuer."""
    apps = []
    if issuer:
        apps.append(
            {
                "provider_id": OIDC_PROVIDER_ID,
                "name": name,
                "client_id": client_id,
                "secret": secret,
                "settings": {"server_url": issuer},
            }
        )
    return {"openid_connect": {"APPS": apps, "SCOPE": scopes, "OAUTH_PKCE_ENABLED": True}}


if OIDC_ISSUER:
    _missing = [n for n in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not globals()[n]]
    if _missing:
        raise ImproperlyConfigured(f"OIDC_ISSUER is set, so {' and '.join(_missing)} must be too.")
    # Codes and tokens must not cross a network in clear; a provider on this machine may.
    if urlsplit(OIDC_ISSUER).scheme != "https" and urlsplit(OIDC_ISSUER).hostname not in (
        _LOOPBACK_HOSTS
    ):
        raise ImproperlyConfigured(f"OIDC_ISSUER must start with https://; got {OIDC_ISSUER!r}")
    if "openid" not in OIDC_SCOPES:
        raise ImproperlyConfigured(f"OIDC_SCOPES must include openid; got {OIDC_SCOPES!r}")
elif OIDC_CLIENT_ID or OIDC_CLIENT_SECRET or OIDC_MEMBER_NUMBER_CLAIM:
    raise ImproperlyConfigured(
        "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_MEMBER_NUMBER_CLAIM need OIDC_ISSUER."
    )

SOCIALACCOUNT_PROVIDERS = oidc_providers(
    issuer=OIDC_ISSUER,
    client_id=OIDC_CLIENT_ID,
    secret=OIDC_CLIENT_SECRET,
    name=OIDC_NAME,
    scopes=OIDC_SCOPES,
)
SOCIALACCOUNT_ADAPTER = "applications.sso.SocialAccountAdapter"
# The association's provider is trusted with its members' addresses: a sign-in with an address
# it says is verified signs in to the account that has it, and connects the two, so a later
# change of address at either end keeps them together. An address it does not say is verified
# never reaches an existing account (allauth then sends that account a notice instead).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# Nobody is asked for a password; the form appears only when the provider gave no email.
SOCIALACCOUNT_AUTO_SIGNUP = True
# Tokens are used once, to read the claims; none is kept.
SOCIALACCOUNT_STORE_TOKENS = False
# ---------------------------------------------------------------------------------------------

NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 5)

# Security: production sits behind TLS; DEBUG (a laptop) does not.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A form posted without its CSRF token gets the site's own page, with a way back.
CSRF_FAILURE_VIEW = "mentorship.views.csrf_failure"
# What the browser may load and use: this site's own scripts, styles and images, nothing
# inline (the pages need none: the one script is static/js/site.js), no framing, and none of
# the powerful features. Production only: Django's debug pages use inline script and style.
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "mentorship.middleware.PermissionsPolicyMiddleware",
]
_SELF = "'self'"
CONTENT_SECURITY_POLICY = (
    None
    if DEBUG
    else {
        "DIRECTIVES": {
            "default-src": [_SELF],
            "script-src": [_SELF],
            "style-src": [_SELF],
            # Bootstrap draws select arrows and check marks as data: SVG images.
            "img-src": [_SELF, "data:"],
            "object-src": ["'none'"],
            "base-uri": [_SELF],
            "frame-ancestors": ["'none'"],
        }
    }
)
PERMISSIONS_POLICY = (
    ""
    if DEBUG
    else ", ".join(
        f"{feature}=()"
        for feature in [
            "accelerometer",
            "camera",
            "geolocation",
            "gyroscope",
            "magnetometer",
            "microphone",
            "payment",
            "usb",
        ]
    )
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Matching runs in a worker; a 10,000 x 10,000 cohort takes under a minute on two cores.
MATCHING_TIME_LIMIT = env_int("MATCHING_TIME_LIMIT", 900)

# How long the member who logged a meeting may still change or delete it; after that, staff
# correct it in admin.
MEETING_LOG_EDIT_DAYS = env_int("MEETING_LOG_EDIT_DAYS", 14)

# Days before an application deadline when members with an unsubmitted draft are reminded.
DEADLINE_REMINDER_DAYS = sorted(set(env_int_list("DEADLINE_REMINDER_DAYS", "7,1")), reverse=True)

# Retention: how many days after a cohort's period ends its private data (notes, goal text,
# comments, confidential free text, self-identification) is removed, unless the cohort sets its
# own date. Dates, hours, statuses and certificates are kept.
RETENTION_DAYS = env_int("RETENTION_DAYS", 365)
if RETENTION_DAYS < 0:
    raise ImproperlyConfigured(f"RETENTION_DAYS must be 0 or more; got {RETENTION_DAYS}")
