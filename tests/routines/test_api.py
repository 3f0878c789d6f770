import re
import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from routines.models import Plan

pytestmark = pytest.mark.django_db

GENERATE = "/api/v1/plans/generate"
CLOCK = re.compile(r"^(0[1-9]|1[0-2]):[0-5]\d (AM|PM)$")


def body(**overrides):
    return {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", **overrides}


def test_generate_returns_the_spec_shape_field_by_field(api_client, task_library):
    response = api_client.post(GENERATE, body(date="2026-11-24", mode="medium"), format="json")
    assert response.status_code == 200
    plan = response.json()
    assert set(plan) == {
        "id",
        "user_id",
        "date",
        "system",
        "content",
        "archetype",
        "plan_type",
        "model_used",
        "readiness_mode",
        "change_not_applied",  # issue 15: added, null unless the request could not apply
    }
    assert plan["change_not_applied"] is None
    assert plan["date"] == "2026-11-24"
    assert plan["system"] == "HolisticOS"
    assert plan["archetype"] == "Peak Performer"
    assert plan["plan_type"] == "dynamic_routine"
    assert plan["model_used"] == "task_library_v1"
    assert plan["readiness_mode"] == "medium"
    blocks = plan["content"]["time_blocks"]
    assert [b["block_name"] for b in blocks] == [
        "Morning Block",
        "Peak Energy",
        "Midday",
        "Evening",
        "Wind Down",
    ]
    for block in blocks:
        assert set(block) == {
            "block_name",
            "start_time",
            "end_time",
            "zone_type",
            "purpose",
            "tasks",
        }
        assert CLOCK.match(block["start_time"]) and CLOCK.match(block["end_time"])
        assert block["zone_type"] and block["purpose"]
        for task in block["tasks"]:
            assert set(task) == {
                "plan_item_id",
                "task_library_id",
                "variation_group",
                "start_time",
                "end_time",
                "title",
                "description",
                "task_type",
                "priority",
                "estimated_duration_minutes",
                "outcome",  # issue 15: the recorded feedback, null while none
            }
            assert task["outcome"] is None
            uuid.UUID(task["plan_item_id"])
            uuid.UUID(task["task_library_id"])
            assert CLOCK.match(task["start_time"]) and CLOCK.match(task["end_time"])
            assert task["task_type"] in {
                "hydration",
                "movement",
                "nutrition",
                "wellness",
                "recovery",
                "work",
                "focus",
            }
            assert task["priority"] in {"high", "medium", "low"}
            assert isinstance(task["estimated_duration_minutes"], int)
    assert blocks[0]["start_time"] == "06:00 AM"
    assert blocks[0]["end_time"] == "09:00 AM"


def test_generate_defaults_to_today(api_client, task_library):
    response = api_client.post(GENERATE, body(), format="json")
    assert response.json()["date"] == timezone.localdate().isoformat()


def test_generate_is_idempotent_and_regenerate_replaces(api_client, task_library):
    request = body(date="2026-11-24")
    first = api_client.post(GENERATE, request, format="json").json()
    again = api_client.post(GENERATE, request, format="json").json()
    assert again == first
    replaced = api_client.post(
        GENERATE, request | {"regenerate": True, "mode": "low"}, format="json"
    ).json()
    assert replaced["id"] == first["id"]
    assert replaced["readiness_mode"] == "low"
    assert sum(len(b["tasks"]) for b in replaced["content"]["time_blocks"]) == 10


def test_wake_time_preference(api_client, task_library):
    response = api_client.post(GENERATE, body(preferences={"wake_time": "07:30"}), format="json")
    assert response.json()["content"]["time_blocks"][0]["start_time"] == "07:30 AM"


def test_static_plan_keeps_the_shape(api_client, task_library, settings):
    settings.ENABLE_DYNAMIC_PLANS = False
    plan = api_client.post(GENERATE, body(), format="json").json()
    assert plan["plan_type"] == "static_routine"
    task = plan["content"]["time_blocks"][0]["tasks"][0]
    assert task["task_library_id"] is None and task["variation_group"] is None
    uuid.UUID(task["plan_item_id"])


def test_generation_failure_is_served_as_static_not_500(api_client, task_library, monkeypatch):
    from routines import drafting

    monkeypatch.setattr(drafting, "active_candidates", lambda: 1 / 0)
    response = api_client.post(GENERATE, body(), format="json")
    assert response.status_code == 200
    assert response.json()["plan_type"] == "static_routine"


@pytest.mark.parametrize(
    "overrides,field,fragment",
    [
        ({"archetype": "Night Owl"}, "archetype", "Peak Performer"),
        ({"mode": "turbo"}, "mode", "high, medium, low"),
        ({"date": "2026-13-40"}, "date", "YYYY-MM-DD"),
        ({"date": "2090-01-01"}, "date", "within a year"),
        ({"user_id": "not-a-uuid"}, "user_id", "UUID"),
        ({"preferences": {"wake_time": "7am"}}, "preferences.wake_time", "HH:MM"),
        ({"regenerate": "maybe"}, "regenerate", "true or false"),
        ({"regenerate": 0}, "regenerate", "true or false"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, overrides, field, fragment):
    response = api_client.post(GENERATE, body(**overrides), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert fragment.lower() in " ".join(error["fields"][field]).lower()
    assert not Plan.objects.exists()


def test_missing_fields_and_non_json_body(api_client):
    response = api_client.post(GENERATE, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"user_id", "archetype"}
    response = api_client.post(GENERATE, "not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_get_stored_plan(api_client, task_library):
    created = api_client.post(GENERATE, body(date="2026-11-24"), format="json").json()
    response = api_client.get(f"/api/v1/plans/{created['user_id']}/2026-11-24/")
    assert response.status_code == 200
    assert response.json() == created


def test_get_missing_plan_is_404_json(api_client):
    response = api_client.get(f"/api/v1/plans/{uuid.uuid4()}/2026-11-24/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "user,day,field",
    [("nope", "2026-11-24", "user_id"), (str(uuid.uuid4()), "24-11-2026", "date")],
)
def test_get_with_malformed_path_is_400(api_client, user, day, field):
    response = api_client.get(f"/api/v1/plans/{user}/{day}/")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize("headers", [{}, {"HTTP_X_API_KEY": "wrong"}])
def test_callers_without_a_valid_key_are_refused(anon_client, headers, task_library):
    user = str(uuid.uuid4())
    response = anon_client.post(GENERATE, body(user_id=user), format="json", **headers)
    assert response.status_code == 401
    assert response.json()["error"]["message"]
    response = anon_client.get(f"/api/v1/plans/{user}/2026-11-24/", **headers)
    assert response.status_code == 401
    assert not Plan.objects.exists()


def test_service_key_may_act_for_any_user(api_client, task_library):
    for _ in range(2):
        assert api_client.post(GENERATE, body(), format="json").status_code == 200
    assert Plan.objects.count() == 2


def test_date_window_edges(api_client, task_library):
    today = timezone.localdate()
    ok = api_client.post(
        GENERATE, body(date=(today + timedelta(days=30)).isoformat()), format="json"
    )
    assert ok.status_code == 200
    too_old = api_client.post(GENERATE, body(date=date(1900, 1, 1).isoformat()), format="json")
    assert too_old.status_code == 400
