import uuid
from datetime import UTC, datetime, timedelta

import pytest

from feedback.models import UserTaskFeedback
from profiles.models import UserPreferenceProfile
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

TASK = "/api/v1/feedback/task"


def dart_payload(item, **overrides):
    """Exactly what TaskFeedbackService.recordTaskCompletion sends: every key, nulls included."""
    return {
        "user_id": str(item.user_id),
        "plan_item_id": str(item.id),
        "completed": True,
        "completed_at": None,
        "satisfaction_rating": None,
        "skip_reason": None,
        "user_notes": None,
        **overrides,
    }


def test_dart_client_replay_completion_then_rating(api_client, plan):
    item = plan.items[0]
    local = datetime.combine(item.scheduled_date, item.scheduled_time) + timedelta(minutes=3)
    first = api_client.post(
        TASK,
        dart_payload(item, completed_at=local.isoformat(timespec="milliseconds")),
        format="json",
    )
    assert first.status_code == 201
    assert first.json()["status"] == "success"
    assert first.json()["recorded"] is True
    assert first.json()["completed_early_minutes"] == -3
    second = api_client.post(TASK, dart_payload(item, satisfaction_rating=5), format="json")
    assert second.status_code == 200
    assert second.json()["created"] is False
    row = UserTaskFeedback.objects.get()
    assert row.satisfaction_rating == 5
    assert row.completed_at == local.replace(tzinfo=UTC)
    assert UserTaskFeedback.objects.count() == 1


def test_skip_with_reason(api_client, plan):
    item = plan.items[2]
    response = api_client.post(
        TASK, dart_payload(item, completed=False, skip_reason="too_hard"), format="json"
    )
    assert response.status_code == 201
    assert response.json()["skip_reason"] == "too_hard"
    row = UserTaskFeedback.objects.get()
    assert row.skipped and not row.completed


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"satisfaction_rating": 7}, "satisfaction_rating"),
        ({"satisfaction_rating": 0}, "satisfaction_rating"),
        ({"satisfaction_rating": "five"}, "satisfaction_rating"),
        ({"completed": False, "skip_reason": "tired"}, "skip_reason"),
        ({"completed_at": "yesterday"}, "completed_at"),
        ({"completed_at": "2031-01-01T00:00:00Z"}, "completed_at"),
        ({"user_notes": "x" * 2001}, "user_notes"),
        ({"completed": "yes"}, "completed"),
        ({"completed": None}, "completed"),
        ({"plan_item_id": "abc"}, "plan_item_id"),
        ({"user_id": 42}, "user_id"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(api_client, plan, overrides, field):
    response = api_client.post(TASK, dart_payload(plan.items[0], **overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not UserTaskFeedback.objects.exists()
    assert not UserPreferenceProfile.objects.exists()


def test_unknown_or_foreign_plan_item_is_404(api_client, plan):
    foreign = dart_payload(plan.items[0], user_id=str(uuid.uuid4()))
    assert api_client.post(TASK, foreign, format="json").status_code == 404
    missing = dart_payload(plan.items[0], plan_item_id=str(uuid.uuid4()))
    response = api_client.post(TASK, missing, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not UserTaskFeedback.objects.exists()


def test_collection_disabled_answers_recorded_false(api_client, plan, settings):
    settings.FEEDBACK_COLLECTION_ENABLED = False
    response = api_client.post(TASK, dart_payload(plan.items[0]), format="json")
    assert response.status_code == 200
    assert response.json() == {"status": "success", "recorded": False}
    assert not UserTaskFeedback.objects.exists()


def test_get_profile(api_client, plan):
    item = plan.items[0]
    api_client.post(TASK, dart_payload(item), format="json")
    response = api_client.get(f"/api/v1/feedback/profile/{item.user_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == str(item.user_id)
    assert body["total_tasks_completed"] == 1
    assert set(body["category_affinity"]) == {
        "hydration",
        "movement",
        "nutrition",
        "wellness",
        "recovery",
        "work",
        "focus",
    }
    for field in (
        "subcategory_affinity",
        "time_of_day_performance",
        "complexity_tolerance",
        "variety_seeking_score",
        "current_mode",
        "learning_phase",
        "completion_rate",
        "longest_streak",
        "current_streak",
        "unique_tasks_tried",
        "profile_confidence",
        "discovery_start_date",
        "last_analyzed_at",
    ):
        assert field in body


def test_missing_profile_is_404(api_client):
    response = api_client.get(f"/api/v1/feedback/profile/{uuid.uuid4()}")
    assert response.status_code == 404


def test_patch_creates_then_updates_the_profile(api_client):
    user = uuid.uuid4()
    url = f"/api/v1/feedback/profile/{user}"
    created = api_client.patch(
        url, {"archetype": "Peak Performer", "current_mode": "low"}, format="json"
    )
    assert created.status_code == 201
    assert (created.json()["archetype"], created.json()["current_mode"]) == (
        "Peak Performer",
        "low",
    )
    updated = api_client.patch(
        url, {"current_mode": "high", "timezone": "America/Denver"}, format="json"
    )
    assert updated.status_code == 200
    profile = UserPreferenceProfile.objects.get(user_id=user)
    assert (profile.current_mode, profile.timezone, profile.archetype) == (
        "high",
        "America/Denver",
        "Peak Performer",
    )


@pytest.mark.parametrize(
    "body,field",
    [
        ({"current_mode": "turbo"}, "current_mode"),
        ({"archetype": "Night Owl"}, "archetype"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({}, "non_field_errors"),
    ],
)
def test_patch_rejects_bad_values(api_client, body, field):
    ProfileFactory(user_id=uuid.UUID(int=1))
    response = api_client.patch(f"/api/v1/feedback/profile/{uuid.UUID(int=1)}", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_patch_new_user_without_archetype_is_404(api_client):
    response = api_client.patch(
        f"/api/v1/feedback/profile/{uuid.uuid4()}", {"current_mode": "low"}, format="json"
    )
    assert response.status_code == 404
    assert "include archetype" in response.json()["error"]["message"]
    assert not UserPreferenceProfile.objects.exists()


def test_mode_set_by_patch_steers_the_next_plan(api_client, task_library):
    user = str(uuid.uuid4())
    api_client.patch(
        f"/api/v1/feedback/profile/{user}",
        {"archetype": "Peak Performer", "current_mode": "low"},
        format="json",
    )
    plan = api_client.post(
        "/api/v1/plans/generate", {"user_id": user, "archetype": "Peak Performer"}, format="json"
    ).json()
    assert plan["readiness_mode"] == "low"


ENDPOINTS = [
    ("post", TASK),
    ("get", "/api/v1/feedback/profile/{user}"),
    ("patch", "/api/v1/feedback/profile/{user}"),
    ("get", "/api/v1/feedback/summary/{user}/weekly"),
]


@pytest.mark.parametrize("method,path", ENDPOINTS)
@pytest.mark.parametrize("headers", [{}, {"HTTP_X_API_KEY": "nope"}])
def test_every_feedback_endpoint_refuses_callers_without_a_valid_key(
    anon_client, method, path, headers
):
    url = path.format(user=uuid.uuid4())
    response = getattr(anon_client, method)(url, {}, format="json", **headers)
    assert response.status_code == 401
    assert "error" in response.json()


@pytest.mark.parametrize(
    "path", ["/api/v1/feedback/profile/nope", "/api/v1/feedback/summary/nope/weekly"]
)
def test_malformed_user_id_in_path_is_400(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 400
    assert "user_id" in response.json()["error"]["fields"]
