"""The owner / other user / anonymous / service-key grid on both privacy endpoints."""

import json
import uuid
from datetime import date

import pytest

from feedback.models import UserTaskFeedback
from privacy.models import ErasureRecord
from privacy.services import erasure_preview
from routines.models import Plan

from .conftest import NOTE

pytestmark = pytest.mark.django_db


def export_url(user_id) -> str:
    return f"/api/v1/users/{user_id}/export"


def erase_url(user_id) -> str:
    return f"/api/v1/users/{user_id}"


def body(response) -> dict:
    return json.loads(b"".join(response.streaming_content))


@pytest.mark.parametrize("caller", ["owner", "service"])
def test_the_owner_and_a_service_key_export(history, caller, user_client, api_client):
    client = user_client(history.user_id) if caller == "owner" else api_client
    response = client.get(export_url(history.user_id))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    doc = body(response)
    assert len(doc["plans"]) == 3 and NOTE in [row["user_notes"] for row in doc["feedback"]]


@pytest.mark.parametrize("caller", ["owner", "service"])
def test_the_owner_and_a_service_key_erase(history, caller, user_client, api_client):
    client = user_client(history.user_id) if caller == "owner" else api_client
    response = client.delete(erase_url(history.user_id))
    assert response.status_code == 204 and response.content == b""
    assert erasure_preview(history.user_id).total == 0
    assert ErasureRecord.objects.count() == 1


@pytest.mark.parametrize("method,url", [("get", export_url), ("delete", erase_url)])
def test_another_user_gets_404_and_nothing_changes(history, user_client, method, url):
    before = erasure_preview(history.user_id).rows
    response = getattr(user_client(uuid.uuid4()), method)(url(history.user_id))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert NOTE not in response.content.decode()
    assert erasure_preview(history.user_id).rows == before
    assert not ErasureRecord.objects.exists()


@pytest.mark.parametrize("method,url", [("get", export_url), ("delete", erase_url)])
def test_anonymous_gets_401_and_nothing_changes(history, anon_client, method, url):
    before = erasure_preview(history.user_id).rows
    response = getattr(anon_client, method)(url(history.user_id))
    assert response.status_code == 401
    assert "credentials" in response.json()["error"]["message"].lower()
    assert erasure_preview(history.user_id).rows == before


@pytest.mark.parametrize("method,url", [("get", export_url), ("delete", erase_url)])
def test_a_malformed_user_id_is_a_400_naming_it(api_client, method, url):
    response = getattr(api_client, method)(url("not-a-uuid"))
    assert response.status_code == 400
    assert "user_id" in response.json()["error"]["fields"]


def test_erasure_is_idempotent(history, api_client):
    assert api_client.delete(erase_url(history.user_id)).status_code == 204
    assert api_client.delete(erase_url(history.user_id)).status_code == 204
    assert api_client.delete(erase_url(uuid.uuid4())).status_code == 204  # never known
    assert ErasureRecord.objects.count() == 2


def test_after_erasure_nothing_is_found_and_a_new_plan_starts_afresh(history, api_client):
    user = history.user_id
    assert api_client.delete(erase_url(user)).status_code == 204
    assert api_client.get(f"/api/v1/feedback/profile/{user}").status_code == 404
    assert api_client.get(f"/api/v1/plans/{user}/2026-11-23/").status_code == 404
    assert not Plan.objects.filter(user_id=user).exists()
    doc = body(api_client.get(export_url(user)))
    assert doc["profile"] is None and doc["plans"] == doc["feedback"] == []

    plan = api_client.post(
        "/api/v1/plans/generate",
        {"user_id": str(user), "archetype": "Connected Explorer", "date": "2026-11-30"},
        format="json",
    ).json()
    item = plan["content"]["time_blocks"][0]["tasks"][0]["plan_item_id"]
    recorded = api_client.post(
        "/api/v1/feedback/task",
        {"user_id": str(user), "plan_item_id": item, "completed": True},
        format="json",
    )
    assert recorded.status_code == 201
    profile = api_client.get(f"/api/v1/feedback/profile/{user}").json()
    assert profile["archetype"] == "Connected Explorer"
    assert profile["total_tasks_completed"] <= 1  # nothing of the old history counted
    assert UserTaskFeedback.objects.filter(user_id=user).count() == 1
    assert Plan.objects.filter(user_id=user).get().date == date(2026, 11, 30)
