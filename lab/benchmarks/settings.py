"""Settings for benchmark servers: production settings plus the floor endpoint."""

from holisticos.settings import *  # noqa: F403

ROOT_URLCONF = "lab.benchmarks.urls"
SECURE_SSL_REDIRECT = False
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"service": "1000000/min", "user": "1000000/min"},
}
from core.api.throttling import CallerRateThrottle  # noqa: E402

CallerRateThrottle.THROTTLE_RATES = REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
