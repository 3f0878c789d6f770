"""Hostile and broken input against every endpoint: always a 4xx JSON error, nothing stored."""

import json
import uuid
from datetime import date

import pytest

from feedback.models import PolicyEstimate, UserTaskFeedback
from profiles.models import UserPreferenceProfile
from routines.models import Plan, PlanItem, TaskRotationState

pytestmark = pytest.mark.django_db

HUGE = "x" * 200_000
SQLISH = "'; DROP TABLE plans; --"
CONTROL = "line\x00break\x07bell\u202eRTL"
LONE_SURROGATE = "\ud800"  # valid JSON ("\\ud800"), but no text encoding can store it

GENERATE_BODIES = [
    {},
    {"user_id": None, "archetype": None},
    {"user_id": 12345, "archetype": "Peak Performer"},
    {"user_id": SQLISH, "archetype": "Peak Performer"},
    {"user_id": str(uuid.uuid4()), "archetype": SQLISH},
    {"user_id": str(uuid.uuid4()), "archetype": ["Peak Performer"]},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "0001-01-01"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "9999-12-31"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": 20261124},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "mode": CONTROL},
    {"user_id": str(uuid.uuid4()), "archetype": LONE_SURROGATE},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "mode": LONE_SURROGATE},
    {
        "user_id": str(uuid.uuid4()),
        "archetype": "Peak Performer",
        "preferences": {"wake_time": "25:99"},
    },
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "preferences": "early"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "regenerate": "yes please"},
    # Issue 15: an ISO week date is not a date; 0 is not a boolean.
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "2026-W48-3"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "date": "20261125"},
    {"user_id": str(uuid.uuid4()), "archetype": "Peak Performer", "regenerate": 0},
    [1, 2, 3],
    "just a string",
    None,
]


def feedback_bodies(item):
    base = {"user_id": str(item.user_id), "plan_item_id": str(item.id), "completed": True}
    return [
        {},
        {k: v for k, v in base.items() if k != "completed"},
        base | {"completed": "true"},
        base | {"completed": 1},
        base | {"satisfaction_rating": -1},
        base | {"satisfaction_rating": 10**30},
        base | {"satisfaction_rating": 3.7},
        base | {"satisfaction_rating": "⭐⭐⭐"},
        base | {"completed": False, "skip_reason": SQLISH},
        base | {"user_notes": CONTROL},
        base | {"user_notes": "n" * 2001},
        base | {"user_notes": {"nested": "object"}},
        base | {"completed_at": "1900-01-01T00:00:00Z"},
        base | {"completed_at": "3000-01-01T00:00:00Z"},
        base | {"completed_at": "2026-13-45T99:99:99"},
        base | {"plan_item_id": SQLISH},
        base | {"plan_item_id": str(uuid.uuid4())},
        base | {"user_id": str(uuid.uuid4())},
        # Issue 15: a date alone is not a completion time, notes are text, a skip has no
        # rating.
        base | {"completed_at": "2026-11-25"},
        base | {"user_notes": 5},
        base | {"completed": False, "satisfaction_rating": 4},
        base | {"completed": False, "skip_reason": "no_time", "satisfaction_rating": 1},
    ]


FEEDBACK_BODY_COUNT = 22


PROFILE_BODIES = [
    {"current_mode": 7},
    {"current_mode": "LOW"},
    {"archetype": "Peak Performer", "timezone": SQLISH},
    {"archetype": "Peak Performer", "timezone": "../../etc/passwd"},
    {"archetype": "Peak Performer", "timezone": "posixrules"},  # a tz file, not a zone name
    {"archetype": "Peak Performer", "timezone": CONTROL},
    {"archetype": LONE_SURROGATE},
    {"archetype": "Peak Performer", "timezone": LONE_SURROGATE},
    {"archetype": "Peak Performer", "timezone": "Europe/" + LONE_SURROGATE},
    {"archetype": ""},
    {"unknown_field_only": True},
    [],
]


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


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


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/plans/{sql}/2026-11-24/",
        "/api/v1/plans/{user}/{sql}/",
        "/api/v1/plans/{user}/99999-01-01/",
        "/api/v1/feedback/profile/{sql}",
        "/api/v1/feedback/summary/{user}/weekly?week_start={sql}",
        "/api/v1/feedback/summary/{user}/weekly?week_start=0001-01-01",
        "/api/v1/feedback/summary/{user}/weekly?format=%00",
        "/api/v1/feedback/profile/%E2%80%AE%00",
        # Issue 15: the resync list's range and week dates.
        "/api/v1/plans/{sql}",
        "/api/v1/plans/{user}?from=2026-W48-3",
        "/api/v1/plans/{user}/?to=",
        "/api/v1/plans/{user}?to=2090-01-01",
        "/api/v1/plans/{user}/2026-W48-3",
        "/api/v1/feedback/summary/{user}/weekly?week_start=2026-W48-1",
        "/api/v1/feedback/summary/{user}/weekly?week_start=",
    ],
)
def test_read_endpoints_corpus(api_client, path):
    url = path.format(sql="%27%3B%20DROP%20TABLE%20plans%3B%20--", user=uuid.uuid4())
    assert_clean_4xx(api_client.get(url))


@pytest.mark.parametrize("url", ["/api/v1/plans/generate", "/api/v1/feedback/task"])
def test_deeply_nested_json_is_a_400(api_client, url):
    response = api_client.post(url, deep_json(30_000), content_type="application/json")
    assert_clean_4xx(response)
    assert_nothing_stored()


@pytest.mark.parametrize("url", ["/api/v1/plans/generate", "/api/v1/feedback/task"])
def test_huge_body_is_a_413(api_client, url):
    response = api_client.post(
        url, json.dumps({"user_notes": HUGE}), content_type="application/json"
    )
    assert response.status_code == 413
    assert_nothing_stored()


@pytest.mark.parametrize("payload", [b"\xff\xfe\x00garbage", b'{"user_id": "a"', b"\x00" * 10])
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


@pytest.mark.parametrize("week_start", ["0001-01-01", "9999-12-27"])  # both Mondays
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


@pytest.mark.parametrize("raw", [SQLISH.replace(" ", ""), "12345", "%00"])
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
