"""Hostile and broken input against every endpoint: always a 4xx JSON error, nothing stored."""

import json
import uuid
from datetime import date

import pytest

from feedback.models import PolicyEstimate, UserTaskFeedback
from profiles.models import UserPreferenceProfile
from routines.models import Plan, PlanItem, TaskRotationState

from .hostile_input import (
    CALENDAR_EDGE_WEEKS,
    FEEDBACK_BODY_COUNT,
    GENERATE_BODIES,
    HUGE,
    LONE_SURROGATE,
    MALFORMED_ITEM_IDS,
    NESTED_JSON_DEPTH,
    PROFILE_BODIES,
    READ_PATHS,
    UNDECODABLE_BODIES,
    deep_json,
    feedback_bodies,
)

pytestmark = pytest.mark.django_db


def assert_clean_4xx(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}


def assert_nothing_stored():
    for model in (
        Plan,
        PlanItem,
        TaskRotationState,
        UserTaskFeedback,
        UserPreferenceProfile,
        PolicyEstimate,
    ):
        assert not model.objects.exists(), model.__name__


@pytest.mark.parametrize("body", GENERATE_BODIES, ids=range(len(GENERATE_BODIES)))
def test_generate_corpus(api_client, task_library, body):
    response = api_client.post(
        "/api/v1/plans/generate", json.dumps(body), content_type="application/json"
    )
    assert_clean_4xx(response)
    assert_nothing_stored()


@pytest.mark.parametrize("index", range(FEEDBACK_BODY_COUNT))
def test_feedback_corpus(api_client, task_library, index):
    from routines.services import generate_plan

    stored = generate_plan(uuid.uuid4(), "Peak Performer", date.today())
    item = stored.items[0]
    body = feedback_bodies(item)[index]
    response = api_client.post(
        "/api/v1/feedback/task", json.dumps(body), content_type="application/json"
    )
    assert_clean_4xx(response)
    assert not UserTaskFeedback.objects.exists()
    assert not UserPreferenceProfile.objects.exists()


@pytest.mark.parametrize("body", PROFILE_BODIES, ids=range(len(PROFILE_BODIES)))
def test_profile_patch_corpus(api_client, body):
    user = uuid.uuid4()
    response = api_client.patch(
        f"/api/v1/feedback/profile/{user}", json.dumps(body), content_type="application/json"
    )
    assert_clean_4xx(response)
    assert_nothing_stored()


@pytest.mark.parametrize("path", READ_PATHS)
def test_read_endpoints_corpus(api_client, path):
    url = path.format(sql="%27%3B%20DROP%20TABLE%20plans%3B%20--", user=uuid.uuid4())
    assert_clean_4xx(api_client.get(url))


@pytest.mark.parametrize("url", ["/api/v1/plans/generate", "/api/v1/feedback/task"])
def test_deeply_nested_json_is_a_400(api_client, url):
    response = api_client.post(url, deep_json(NESTED_JSON_DEPTH), content_type="application/json")
    assert_clean_4xx(response)
    assert_nothing_stored()


@pytest.mark.parametrize("url", ["/api/v1/plans/generate", "/api/v1/feedback/task"])
def test_huge_body_is_a_413(api_client, url):
    response = api_client.post(
        url, json.dumps({"user_notes": HUGE}), content_type="application/json"
    )
    assert response.status_code == 413
    assert_nothing_stored()


@pytest.mark.parametrize("payload", UNDECODABLE_BODIES)
def test_undecodable_bodies(api_client, payload):
    response = api_client.post("/api/v1/feedback/task", payload, content_type="application/json")
    assert_clean_4xx(response)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"archetype": LONE_SURROGATE}, "archetype"),
        ({"archetype": "Peak Performer", "timezone": LONE_SURROGATE}, "timezone"),
        ({"archetype": "Peak Performer", "current_mode": "a" + LONE_SURROGATE}, "current_mode"),
    ],
)
def test_lone_surrogate_is_a_400_naming_the_field(api_client, body, field):
    user = uuid.uuid4()
    response = api_client.patch(
        f"/api/v1/feedback/profile/{user}", json.dumps(body), content_type="application/json"
    )
    assert_clean_4xx(response)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert_nothing_stored()


def test_lone_surrogate_in_feedback_notes_is_a_400_naming_the_field(api_client, task_library):
    from routines.services import generate_plan

    item = generate_plan(uuid.uuid4(), "Peak Performer", date.today()).items[0]
    body = {
        "user_id": str(item.user_id),
        "plan_item_id": str(item.id),
        "completed": True,
        "user_notes": "fine " + LONE_SURROGATE,
    }
    response = api_client.post(
        "/api/v1/feedback/task", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "user_notes" in response.json()["error"]["fields"]
    assert not UserTaskFeedback.objects.exists()


@pytest.mark.parametrize("week_start", CALENDAR_EDGE_WEEKS)  # both Mondays
def test_weekly_summary_at_the_ends_of_the_calendar_is_a_400(api_client, week_start):
    from tests.factories import ProfileFactory

    profile = ProfileFactory(archetype="Peak Performer")
    response = api_client.get(
        f"/api/v1/feedback/summary/{profile.user_id}/weekly?week_start={week_start}"
    )
    assert_clean_4xx(response)
    assert response.status_code == 400
    assert "week_start" in response.json()["error"]["fields"]


def test_feedback_corpus_count_matches():
    assert len(feedback_bodies(PlanItem(user_id=uuid.uuid4()))) == FEEDBACK_BODY_COUNT


@pytest.mark.parametrize("raw", MALFORMED_ITEM_IDS)
def test_undo_with_a_malformed_item_id_is_a_400(api_client, raw):
    response = api_client.delete(f"/api/v1/feedback/task/{raw}")
    assert_clean_4xx(response)
    assert response.status_code == 400
    assert "plan_item_id" in response.json()["error"]["fields"]


def test_completing_a_task_days_ahead_without_a_time_is_a_400(api_client, task_library):
    """completed_at null is stamped now: the one-day rule holds for it too (issue 15)."""
    from datetime import timedelta

    from routines.services import generate_plan

    item = generate_plan(uuid.uuid4(), "Peak Performer", date.today() + timedelta(days=5)).items[0]
    body = {
        "user_id": str(item.user_id),
        "plan_item_id": str(item.id),
        "completed": True,
        "completed_at": None,
    }
    response = api_client.post(
        "/api/v1/feedback/task", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "completed" in response.json()["error"]["fields"]
    assert not UserTaskFeedback.objects.exists()
    assert not UserPreferenceProfile.objects.exists()


def test_an_empty_format_is_a_400_naming_it(api_client):
    """DRF reads "?format=" as no format at all; the schema's enum does not allow it."""
    from tests.factories import ProfileFactory

    profile = ProfileFactory(archetype="Peak Performer")
    response = api_client.get(f"/api/v1/feedback/summary/{profile.user_id}/weekly?format=")
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]
