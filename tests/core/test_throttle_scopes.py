"""Throttle budgets: per service key and acted-for user, per key in total, per user token,
failed authentication per client address, and the shared Redis cache."""

import socket
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from core.api import throttling
from core.api.throttling import CallerRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixed_clock(monkeypatch):
    """Mid-window, so no request of a test crosses into the next window."""
    monkeypatch.setattr(throttling, "now", lambda: 1_800_000_030.0)


@pytest.fixture
def limits(monkeypatch, fixed_clock):
    cache.clear()
    monkeypatch.setattr(
        CallerRateThrottle,
        "THROTTLE_RATES",
        {"service": "6/min", "service_user": "3/min", "user": "3/min"},
    )
    yield
    cache.clear()


def profile_url(user) -> str:
    return f"/api/v1/feedback/profile/{user}"


def test_one_user_cannot_spend_a_service_keys_whole_budget(api_client, limits):
    busy, quiet, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert [api_client.get(profile_url(busy)).status_code for _ in range(4)] == [404] * 3 + [429]
    # Other users the same key acts for still have their own budget...
    assert [api_client.get(profile_url(quiet)).status_code for _ in range(2)] == [404, 404]
    # ...until the key's total is spent (6 counted: 4 for `busy`, 2 for `quiet`).
    response = api_client.get(profile_url(third))
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_acted_for_user_in_the_body_counts_too(api_client, limits):
    user = uuid.uuid4()
    body = {"user_id": str(user), "plan_item_id": str(uuid.uuid4()), "completed": True}
    statuses = [api_client.post("/api/v1/feedback/task", body, format="json").status_code]
    statuses += [api_client.post("/api/v1/feedback/task", body, format="json").status_code]
    statuses += [api_client.get(profile_url(user)).status_code for _ in range(2)]
    assert statuses[-1] == 429 and 429 not in statuses[:3]


def test_user_token_budget(user_client, limits):
    user = uuid.uuid4()
    client = user_client(user)
    assert [client.get(profile_url(user)).status_code for _ in range(4)] == [404] * 3 + [429]


@override_settings(THROTTLE_RATE_AUTH_FAILURES="3/min")
def test_failed_authentication_is_throttled_per_client_address(limits, service_key):
    bad = APIClient(REMOTE_ADDR="203.0.113.7")
    bad.credentials(HTTP_X_API_KEY="abcd1234.not-a-real-key")
    statuses = [bad.get(profile_url(uuid.uuid4())).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    # Even the right key from that address waits out the window...
    bad.credentials(HTTP_X_API_KEY=service_key)
    refused = bad.get(profile_url(uuid.uuid4()))
    assert refused.status_code == 429 and refused["Retry-After"]
    assert refused.json()["error"]["code"] == "throttled"
    # ...while another address is unaffected.
    good = APIClient(REMOTE_ADDR="198.51.100.4")
    good.credentials(HTTP_X_API_KEY=service_key)
    assert good.get(profile_url(uuid.uuid4())).status_code == 404


@override_settings(THROTTLE_RATE_AUTH_FAILURES="2/min")
def test_failed_authentication_behind_a_proxy_counts_the_forwarded_client(limits):
    def through_proxy(client_ip: str) -> int:
        client = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_ip)
        client.credentials(HTTP_X_API_KEY="abcd1234.not-a-real-key")
        return client.get(profile_url(uuid.uuid4())).status_code

    assert [through_proxy("203.0.113.7") for _ in range(3)] == [401, 401, 429]
    assert through_proxy("203.0.113.8") == 401  # another client behind the same proxy


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
        "KEY_PREFIX": f"tests-{uuid.uuid4().hex[:8]}",
    }
}


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
@override_settings(CACHES=REDIS)
def test_throttle_counts_live_in_redis_shared_by_every_worker(user_client, limits):
    import redis

    user = uuid.uuid4()
    client = user_client(user)
    assert [client.get(profile_url(user)).status_code for _ in range(4)] == [404] * 3 + [429]
    # The count is in Redis itself, where every worker process reads the same number.
    raw = redis.Redis(host="127.0.0.1", port=6379, db=15)
    keys = raw.keys(f"{REDIS['default']['KEY_PREFIX']}:*throttle:user:{user}:*")
    assert len(keys) == 1 and int(raw.get(keys[0])) == 4
    raw.delete(*keys)
    assert client.get(profile_url(user)).status_code == 404  # a reset count is seen at once


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
)
def test_unreachable_cache_is_a_503_json_not_a_500(api_client):
    response = api_client.get(profile_url(uuid.uuid4()))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
