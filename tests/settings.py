"""Test settings: production settings with the secrets a test run needs and known flags."""

import os

# Tests see the real environment (DATABASE_URL for PostgreSQL) but never a developer's
# .env, so they behave the same on every machine and in CI.
os.environ["ENV_FILE"] = "/nonexistent/.env"
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from holisticos.settings import *  # noqa: F403

SUPABASE_JWT_SECRET = "tests-only-supabase-jwt-secret-of-sufficient-length"
# HS256 only by default; the JWKS tests point SUPABASE_URL at a key server of their own.
SUPABASE_URL = ""
THROTTLE_RATE_SERVICE = "100000/min"
THROTTLE_RATE_SERVICE_USER = "100000/min"
THROTTLE_RATE_USER = "100000/min"
THROTTLE_RATE_AUTH_FAILURES = "100000/min"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "service": THROTTLE_RATE_SERVICE,
        "service_user": THROTTLE_RATE_SERVICE_USER,
        "user": THROTTLE_RATE_USER,
    },
}
LOG_FORMAT = "plain"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ENABLE_DYNAMIC_PLANS = True
FEEDBACK_COLLECTION_ENABLED = True
SCORING_POLICY = "adaptive"
# Tests talk plain HTTP to the app (test client, schemathesis, live server).
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The schema is loaded over WSGI by schemathesis; tests of the closed default set it off.
API_DOCS_PUBLIC = True
