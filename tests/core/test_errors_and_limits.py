"""Every status an API client can meet comes as the same JSON error shape."""

import uuid

import pytest
from django.db import OperationalError
from django.test import override_settings

from core.api.throttling import CallerRateThrottle

pytestmark = pytest.mark.django_db


def assert_error_shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] and error["message"]
    assert "Traceback" not in response.content.decode()
    return error


def test_400(api_client):
    assert_error_shape(api_client.post("/api/v1/plans/generate", {}, format="json"), 400)


def test_400_malformed_json(api_client):
    response = api_client.post(
        "/api/v1/plans/generate", "{not json", content_type="application/json"
    )
    assert assert_error_shape(response, 400)["code"] == "malformed"


def test_401(anon_client):
    assert_error_shape(anon_client.get(f"/api/v1/feedback/profile/{uuid.uuid4()}"), 401)


def test_404_unknown_api_url_even_with_debug(api_client, settings):
    settings.DEBUG = True
    assert_error_shape(api_client.get("/api/v1/nothing-here"), 404)


def test_405(api_client):
    assert_error_shape(api_client.delete("/api/v1/plans/generate"), 405)


def test_415_wrong_content_type(api_client):
    response = api_client.post(
        "/api/v1/plans/generate", "a=b", content_type="application/x-www-form-urlencoded"
    )
    assert_error_shape(response, 415)


def test_413_body_too_large(api_client, settings):
    settings.API_MAX_BODY_BYTES = 1024
    response = api_client.post("/api/v1/feedback/task", {"user_notes": "x" * 5000}, format="json")
    assert_error_shape(response, 413)


def test_500_is_json_without_a_stack_trace_even_with_debug(api_client, settings, monkeypatch):
    settings.DEBUG = True
    from feedback import views

    monkeypatch.setattr(views, "get_profile", lambda user: 1 / 0)
    api_client.raise_request_exception = False
    response = api_client.get(f"/api/v1/feedback/profile/{uuid.uuid4()}")
    error = assert_error_shape(response, 500)
    assert "ZeroDivision" not in error["message"]


def test_503_when_the_database_is_unreachable(api_client, monkeypatch):
    from feedback import views

    def unreachable(user):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(views, "get_profile", unreachable)
    response = api_client.get(f"/api/v1/feedback/profile/{uuid.uuid4()}")
    assert_error_shape(response, 503)
    assert response["Retry-After"]


@pytest.fixture
def tight_limits(monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(CallerRateThrottle, "THROTTLE_RATES", {"service": "5/min", "user": "3/min"})
    yield
    cache.clear()


def test_429_per_user_token(user_client, tight_limits):
    user = uuid.uuid4()
    client = user_client(user)
    statuses = [client.get(f"/api/v1/feedback/profile/{user}").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    error = assert_error_shape(client.get(f"/api/v1/feedback/profile/{user}"), 429)
    assert "throttled" in error["code"]
    # Another user has their own budget.
    other = uuid.uuid4()
    assert user_client(other).get(f"/api/v1/feedback/profile/{other}").status_code == 404


def test_429_per_service_key(api_client, tight_limits):
    url = f"/api/v1/feedback/profile/{uuid.uuid4()}"
    statuses = [api_client.get(url).status_code for _ in range(6)]
    assert statuses[-1] == 429 and statuses.count(404) == 5
    assert api_client.get(url)["Retry-After"]


def test_non_api_pages_are_left_alone(client):
    response = client.get("/admin/")
    assert response.status_code == 302


@override_settings(DEBUG=True)
def test_docs_page_and_schema_are_public(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/plans/generate" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
