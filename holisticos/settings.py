"""Settings for the HolisticOS personalization engine.

Everything that differs between a laptop and production is read from the
environment (or a `.env` file beside manage.py) through django-environ.
`.env.example` documents every variable.
"""

import importlib.util
import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# ENV_FILE points elsewhere (or at nothing) when a process must not see the developer's .env.
environ.Env.read_env(os.environ.get("ENV_FILE", BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

# Feature flags (spec section 1.9).
ENABLE_DYNAMIC_PLANS = env.bool("ENABLE_DYNAMIC_PLANS", default=True)
FEEDBACK_COLLECTION_ENABLED = env.bool("FEEDBACK_COLLECTION_ENABLED", default=True)
TASK_LIBRARY_VERSION = env.str("TASK_LIBRARY_VERSION", default="v1")
SCORING_POLICY = env.str("SCORING_POLICY", default="adaptive")
# prune_history drops plan items (and their plans) older than this; at least 120 days
# (feedback.retention.MIN_KEEP_DAYS says why). Feedback is kept whatever the age.
HISTORY_KEEP_DAYS = env.int("HISTORY_KEEP_DAYS", default=400)
# "Not this one" (feedback/swaps.py): how often one slot of a plan may be swapped, and how
# many tasks of one day's plan; past either the swap answers 409 and the plan stays a plan.
SWAPS_PER_ITEM = env.int("SWAPS_PER_ITEM", default=2)
SWAPS_PER_DAY = env.int("SWAPS_PER_DAY", default=3)
if SCORING_POLICY not in {"static", "adaptive"}:
    raise ImproperlyConfigured("SCORING_POLICY must be 'static' or 'adaptive'.")
# The randomized holdout (routines/holdout.py): this share of users, chosen by a keyed hash
# of their id, is planned by the static policy so the dashboard can measure the lift. 0 is
# off; at most 0.5. Changing the salt reshuffles everyone: set it once per experiment.
HOLDOUT_SHARE = env.float("HOLDOUT_SHARE", default=0.0)
HOLDOUT_SALT = env.str("HOLDOUT_SALT", default="")
if not 0 <= HOLDOUT_SHARE <= 0.5:
    raise ImproperlyConfigured("HOLDOUT_SHARE must be between 0 and 0.5.")
if HOLDOUT_SHARE > 0 and not HOLDOUT_SALT:
    raise ImproperlyConfigured("HOLDOUT_SALT must be set when HOLDOUT_SHARE is above 0.")

# --- API access -------------------------------------------------------------------------
# Service keys arrive in the spec's X-API-Key header and are stored hashed
# (djangorestframework-api-key); user tokens are Supabase JWTs: ES256/RS256 checked against
# the project's published keys (SUPABASE_URL), HS256 against the legacy shared secret.
API_KEY_CUSTOM_HEADER = "HTTP_X_API_KEY"
SUPABASE_URL = env.str("SUPABASE_URL", default="").rstrip("/")
SUPABASE_JWT_SECRET = env.str("SUPABASE_JWT_SECRET", default="")
SUPABASE_JWT_AUDIENCE = env.str("SUPABASE_JWT_AUDIENCE", default="authenticated")
SUPABASE_JWKS_TIMEOUT = env.float("SUPABASE_JWKS_TIMEOUT", default=3.0)
SUPABASE_JWKS_CACHE_SECONDS = env.int("SUPABASE_JWKS_CACHE_SECONDS", default=600)
if SUPABASE_URL:
    # The keys that sign user tokens must arrive over TLS; plain http only on this machine.
    _supabase = urlsplit(SUPABASE_URL)
    _host = _supabase.hostname or ""
    try:
        _loopback = _host == "localhost" or ipaddress.ip_address(_host).is_loopback
    except ValueError:
        _loopback = False
    _secure = _supabase.scheme == "https" or (_supabase.scheme == "http" and _loopback)
    if not _host or not _secure:
        raise ImproperlyConfigured(
            "SUPABASE_URL must be https://<project host> (plain http only for loopback)."
        )
if SUPABASE_JWKS_TIMEOUT <= 0:
    raise ImproperlyConfigured("SUPABASE_JWKS_TIMEOUT must be more than 0 seconds.")
if SUPABASE_JWKS_CACHE_SECONDS < 60:
    raise ImproperlyConfigured("SUPABASE_JWKS_CACHE_SECONDS must be at least 60.")
THROTTLE_RATE_SERVICE = env.str("THROTTLE_RATE_SERVICE", default="3000/min")
THROTTLE_RATE_SERVICE_USER = env.str("THROTTLE_RATE_SERVICE_USER", default="120/min")
THROTTLE_RATE_USER = env.str("THROTTLE_RATE_USER", default="120/min")
THROTTLE_RATE_AUTH_FAILURES = env.str("THROTTLE_RATE_AUTH_FAILURES", default="30/min")
# Peers whose X-Forwarded-For is believed (our reverse proxies); see core/client_address.py.
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# Largest request body accepted under /api/ (413 above it).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=64 * 1024)
# /metrics: open to clients in these networks (CIDR; the client behind our proxies, see
# TRUSTED_PROXY_NETWORKS) or to a bearer token; closed otherwise. Loopback only with DEBUG.
METRICS_ALLOWED_NETWORKS = env.list(
    "METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"] if DEBUG else []
)
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# /api/schema/ and /api/docs/: public with DEBUG (or API_DOCS_PUBLIC); otherwise open to
# signed-in staff and to METRICS_ALLOWED_NETWORKS.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG)

# Erasure records keep HMAC(salt, user id), never the id (privacy/models.py says why a
# secret). Set it apart from SECRET_KEY: rotating SECRET_KEY must not make the erasures
# recorded so far impossible to look up. Unset, it is derived from SECRET_KEY.
PRIVACY_ERASURE_SALT = env.str("PRIVACY_ERASURE_SALT", default="") or f"erasure:{SECRET_KEY}"

INSTALLED_APPS = [
    # First: in an installed wheel the project's templates ship as core's app templates
    # (pyproject.toml) and must override the admin's own.
    "core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "library",
    "profiles",
    "routines",
    "feedback",
    "privacy",
]
# Research tools (simulation, benchmarks) come with the dev extra only: a production
# install has no `lab` package, so no `simulate` or `bench` command.
if importlib.util.find_spec("lab") is not None:
    INSTALLED_APPS.append("lab")

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.api.middleware.ApiErrorsMiddleware",
    "core.api.middleware.FailedAuthThrottleMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "holisticos.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "holisticos.wsgi.application"

DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
# Longest a single SQL statement may run (lock waits included) before PostgreSQL cancels
# it; the request then answers 503 JSON with Retry-After. Keep it well under the gunicorn
# worker timeout (GUNICORN_TIMEOUT, 30 s), which otherwise kills the worker mid-request and
# the client gets gunicorn's HTML error. 0 switches the limit off (e.g. for a long migrate).
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=10_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.postgresql"
    postgres_options = DATABASES["default"].setdefault("OPTIONS", {})
    postgres_options["options"] = (
        f"{postgres_options.get('options', '')} "
        f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    ).strip()
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "django_prometheus.db.backends.sqlite3"
    sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Wait (busy timeout, seconds) for a writer instead of failing at once when two
    # requests write together.
    sqlite_options.setdefault("timeout", env.int("SQLITE_BUSY_TIMEOUT", default=20))
    # Transactions take the write lock when they begin: a transaction that read first and
    # writes later can otherwise not wait for the lock ("database is locked" at once,
    # busy timeout or not), which failed feedback posts and turned plans into fallbacks.
    sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    # WAL: readers never wait for the writer, nor the writer for readers. NORMAL sync is
    # safe with WAL (a power cut can lose the last commits, never corrupt the file).
    sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep a worker's connection between requests (opening one costs PostgreSQL a process);
# checked before reuse, so a restarted database is reconnected to, not failed on.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: the feedback path's hand-written statements (holisticos/sql_rows.py) bind
# server-side and are prepared on their first run on a connection, so they skip the
# planner afterwards; ORM queries are never prepared. Switch off behind a pooler that
# cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Admin logins: django-axes counts failures per client address (the one behind our proxies)
# and refuses further attempts (429) for a cool-off period; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Outside the code in an installed wheel: STATIC_ROOT=/srv/holisticos/static, say.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Development serves static files straight from the apps; production from collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Production hardening (manage.py check --deploy is clean with DEBUG off) -------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.ServiceKeyAuthentication",
        "core.api.auth.SupabaseJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.CallerRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "service": THROTTLE_RATE_SERVICE,
        "service_user": THROTTLE_RATE_SERVICE_USER,
        "user": THROTTLE_RATE_USER,
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.SafeJSONParser"],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # `?format=` belongs to our own endpoints (the weekly summary's html), not negotiation.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "HolisticOS Personalization Engine API",
    "DESCRIPTION": (
        "Daily plans from the curated task library, task feedback, learned preference "
        "profiles and weekly personalization summaries. Authenticate with a service key "
        "(X-API-Key) or the user's Supabase access token (Authorization: Bearer)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every API path also answers with a trailing slash (core/api/routes.py); the schema
    # lists each once, as the spec writes it.
    "PREPROCESSING_HOOKS": ["core.api.schema.without_slash_twins"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.require_nonempty_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ArchetypeEnum": "library.choices.Archetype",
        "ModeEnum": "library.choices.Mode",
        "PriorityEnum": "routines.models.Priority",
        "LearningPhaseEnum": "profiles.models.LearningPhase",
    },
}

# Structured logs on stdout: one JSON object a line (LOG_FORMAT=plain for humans).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Library imports run in one transaction: a file with any bad row changes nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- The nightly run on Celery (README, "The nightly run on Celery") --------------------
# Empty: `regenerate_plans` runs in this process, as `make run` needs. Set (redis://… or
# amqp://…): `regenerate_plans --all` cuts the users into key-range chunks and enqueues them
# for `celery -A holisticos worker` processes on any number of machines.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="holisticos")
# A chunk is acknowledged when it is done, not when it starts: a worker killed mid-chunk
# leaves it to another worker (RabbitMQ at once; Redis after the visibility timeout).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress lives in nightly_chunks, not a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A claimed chunk is another worker's for this long (longer than the slowest chunk, about
# 10 s for 2,000 users). Redis redelivers an unacknowledged chunk a little later, when the
# lease has surely run out.
NIGHTLY_CHUNK_LEASE_SECONDS = env.int("NIGHTLY_CHUNK_LEASE_SECONDS", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(NIGHTLY_CHUNK_LEASE_SECONDS * 1.2) + 1,
    # Redis: look for expired unacknowledged chunks every 10 s (kombu's default is ~100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
NIGHTLY_CHUNK_USERS = env.int("NIGHTLY_CHUNK_USERS", default=2000)
CELERY_WORKER_METRICS_PORT = env.int("CELERY_WORKER_METRICS_PORT", default=0)
