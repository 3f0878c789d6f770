"""/metrics and the API docs with DEBUG off, directly and behind a reverse proxy; /readyz
and the cache."""

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(METRICS_ALLOWED_NETWORKS=[], METRICS_TOKEN="")
def test_metrics_refused_even_to_loopback_when_no_network_is_configured(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@override_settings(METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"], METRICS_TOKEN="")
def test_metrics_behind_a_same_host_proxy_judge_the_forwarded_client(client):
    # nginx on this host forwards a public visitor: the peer is loopback, the client is not.
    public = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert public.status_code == 403
    # A forged X-Forwarded-For to the left of the proxy's entry is ignored.
    forged = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3, 203.0.113.9"
    )
    assert forged.status_code == 403
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert inside.status_code == 200
    # A direct peer that is not a trusted proxy cannot claim another address.
    direct = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert direct.status_code == 403


@override_settings(METRICS_ALLOWED_NETWORKS=[], METRICS_TOKEN="scrape-token-123")
def test_metrics_token_opens_it_from_anywhere(client):
    headers = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **headers).status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123", **headers)
    assert ok.status_code == 200


@override_settings(API_DOCS_PUBLIC=False, METRICS_ALLOWED_NETWORKS=[], METRICS_TOKEN="t-123")
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_api_docs_closed_without_debug_except_to_staff_and_networks(client, url):
    refused = client.get(url, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    via_proxy = client.get(url, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert via_proxy.status_code == 404
    assert client.get(url, HTTP_AUTHORIZATION="Bearer t-123").status_code != 200  # no token
    with override_settings(METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"]):
        assert client.get(url, REMOTE_ADDR="10.0.0.5").status_code == 200
    staff = User.objects.create_user("docs", "d@example.com", "pw-123", is_staff=True)
    client.force_login(staff)
    assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 200


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
)
def test_readyz_fails_when_the_cache_is_unreachable(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["cache"] == "unreachable"
    assert client.get("/healthz").status_code == 200


def test_readyz_checks_the_cache_when_it_works(client):
    assert client.get("/readyz").status_code == 200
