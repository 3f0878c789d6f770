"""The request's intent wins (issue 15): mode and archetype reach the profile and replan a
stored plan that has no feedback yet; a fallback plan is retried; no date = local today;
the first plan creates the profile."""

import uuid
from datetime import UTC, date, datetime, time
from io import StringIO

import pytest
from django.core.management import call_command

from feedback.models import UserTaskFeedback
from profiles.models import UserPreferenceProfile
from routines import drafting, intent
from routines.models import Plan
from tests.factories import PlanFactory, ProfileFactory

pytestmark = pytest.mark.django_db

GENERATE = "/api/v1/plans/generate"
DAY = date(2026, 11, 25)


def ask(client, user, **fields):
    body = {"user_id": str(user), "archetype": "Peak Performer", "date": DAY.isoformat()}
    response = client.post(GENERATE, {**body, **fields}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def tasks(plan):
    return [task for block in plan["content"]["time_blocks"] for task in block["tasks"]]


@pytest.mark.parametrize(
    "stored,archetype,mode,dynamic,expected",
    [
        ({}, "Peak Performer", None, True, []),
        ({}, "Peak Performer", "medium", True, []),
        ({}, "Peak Performer", "low", True, ["mode"]),
        ({}, "Foundation Builder", None, True, ["archetype"]),
        (
            {"plan_type": "static_routine", "fallback_reason": "error"},
            "Peak Performer",
            None,
            True,
            ["fallback"],
        ),
        (
            {"plan_type": "static_routine", "fallback_reason": "error"},
            "Peak Performer",
            None,
            False,
            [],
        ),
        (
            {"plan_type": "static_routine", "fallback_reason": "disabled"},
            "Peak Performer",
            None,
            True,
            [],
        ),
    ],
)
def test_replan_reasons(stored, archetype, mode, dynamic, expected):
    fields = {
        "archetype": "Peak Performer",
        "readiness_mode": "medium",
        "plan_type": "dynamic_routine",
        "fallback_reason": "",
        **stored,
    }
    assert intent.replan_reasons(Plan(**fields), archetype, mode, dynamic) == expected


def test_the_morning_mode_replaces_the_nightly_plan_and_reaches_the_profile(
    api_client, task_library
):
    """The issue's replay: nightly medium plan, then the app's {"mode": "low"}."""
    profile = ProfileFactory(archetype="Peak Performer", current_mode="medium")
    call_command("regenerate_plans", "--date", DAY.isoformat(), "--all", stdout=StringIO())
    nightly = Plan.objects.get(user_id=profile.user_id)
    assert nightly.readiness_mode == "medium"
    plan = ask(api_client, profile.user_id, mode="low")
    assert plan["readiness_mode"] == "low"
    assert plan["id"] == str(nightly.id)  # replanned in place
    assert len(tasks(plan)) <= 10  # a low day (the medium plan had 15)
    assert plan["change_not_applied"] is None
    profile.refresh_from_db()
    assert profile.current_mode == "low"  # so tomorrow's nightly plan is low too


def test_a_changed_archetype_replans_and_reaches_the_profile(api_client, task_library):
    user = uuid.uuid4()
    ask(api_client, user)
    plan = ask(api_client, user, archetype="Foundation Builder")
    assert plan["archetype"] == "Foundation Builder"
    assert UserPreferenceProfile.objects.get(user_id=user).archetype == "Foundation Builder"


def test_with_feedback_the_stored_plan_is_kept_and_the_answer_says_so(api_client, task_library):
    user = uuid.uuid4()
    first = ask(api_client, user, mode="medium")
    item = tasks(first)[0]["plan_item_id"]
    feedback = {
        "user_id": str(user),
        "plan_item_id": item,
        "completed": True,
        "completed_at": "2026-11-25T06:40:00",
    }
    assert api_client.post("/api/v1/feedback/task", feedback, format="json").status_code == 201
    plan = ask(api_client, user, mode="high")
    assert plan["readiness_mode"] == "medium"
    assert [t["plan_item_id"] for t in tasks(plan)] == [t["plan_item_id"] for t in tasks(first)]
    kept = plan["change_not_applied"]
    assert kept["reason"] == "plan_has_feedback"
    assert kept["requested_mode"] == "high"
    assert "mode" in kept["message"]
    assert tasks(plan)[0]["outcome"]["completed"] is True
    # The readiness is still remembered for the days ahead.
    assert UserPreferenceProfile.objects.get(user_id=user).current_mode == "high"
    assert UserTaskFeedback.objects.count() == 1


def test_regenerate_true_still_replaces_a_plan_with_feedback(api_client, task_library):
    user = uuid.uuid4()
    first = ask(api_client, user)
    item = tasks(first)[0]["plan_item_id"]
    feedback = {
        "user_id": str(user),
        "plan_item_id": item,
        "completed": True,
        "completed_at": "2026-11-25T06:40:00",
    }
    api_client.post("/api/v1/feedback/task", feedback, format="json")
    plan = ask(api_client, user, mode="high", regenerate=True)
    assert plan["readiness_mode"] == "high" and plan["change_not_applied"] is None


def test_a_fallback_plan_is_retried_dynamically_on_the_next_request(
    api_client, task_library, monkeypatch
):
    user = uuid.uuid4()
    real = drafting.draft_dynamic_plan

    def failing(request):
        raise drafting.PlanningError("lock timeout")

    monkeypatch.setattr(drafting, "draft_dynamic_plan", failing)
    assert ask(api_client, user)["plan_type"] == "static_routine"
    monkeypatch.setattr(drafting, "draft_dynamic_plan", real)
    plan = ask(api_client, user)
    assert plan["plan_type"] == "dynamic_routine"
    assert Plan.objects.get(user_id=user).fallback_reason == ""


def test_a_fallback_plan_with_feedback_is_kept_without_a_message(
    api_client, task_library, monkeypatch
):
    user = uuid.uuid4()
    monkeypatch.setattr(
        drafting, "draft_dynamic_plan", lambda request: (_ for _ in ()).throw(RuntimeError())
    )
    static = ask(api_client, user)
    monkeypatch.undo()
    item = tasks(static)[0]["plan_item_id"]
    feedback = {
        "user_id": str(user),
        "plan_item_id": item,
        "completed": True,
        "completed_at": "2026-11-25T06:40:00",
    }
    api_client.post("/api/v1/feedback/task", feedback, format="json")
    plan = ask(api_client, user)
    assert plan["plan_type"] == "static_routine"
    assert plan["change_not_applied"] is None  # the app asked for nothing it did not get


def test_no_date_means_the_users_local_today(api_client, task_library, monkeypatch):
    """06:35 in Kiritimati (UTC+14) is 16:35 the day before in UTC."""
    user = uuid.uuid4()
    ProfileFactory(user_id=user, archetype="Peak Performer", timezone="Pacific/Kiritimati")
    now = datetime(2026, 11, 24, 16, 35, tzinfo=UTC)
    monkeypatch.setattr(intent.timezone, "now", lambda: now)
    response = api_client.post(
        GENERATE, {"user_id": str(user), "archetype": "Peak Performer"}, format="json"
    )
    assert response.json()["date"] == "2026-11-25"


def test_the_first_plan_creates_the_profile(api_client, task_library):
    user = uuid.uuid4()
    ask(api_client, user, archetype="Connected Explorer", mode="high")
    profile = UserPreferenceProfile.objects.get(user_id=user)
    assert (profile.archetype, profile.current_mode) == ("Connected Explorer", "high")
    profile_answer = api_client.get(f"/api/v1/feedback/profile/{user}")
    assert profile_answer.status_code == 200
    summary = api_client.get(f"/api/v1/feedback/summary/{user}/weekly?week_start=2026-11-30")
    assert summary.status_code == 200
    body = summary.json()
    assert body["tasks_scheduled"] == 0 and body["tasks_completed"] == 0
    assert body["completion_rate"] == 0
    this_week = api_client.get(f"/api/v1/feedback/summary/{user}/weekly?week_start=2026-11-23")
    assert this_week.json()["tasks_scheduled"] == 20  # a high day


def test_the_nightly_run_plans_users_from_their_first_plan(api_client, task_library):
    user = uuid.uuid4()
    ask(api_client, user, archetype="Connected Explorer", mode="low")
    call_command("regenerate_plans", "--date", "2026-11-26", "--all", stdout=StringIO())
    tomorrow = Plan.objects.get(user_id=user, date=date(2026, 11, 26))
    assert (tomorrow.archetype, tomorrow.readiness_mode) == ("Connected Explorer", "low")


def test_a_repeated_request_reads_the_profile_once_and_writes_nothing(
    api_client, task_library, django_assert_max_num_queries
):
    user = uuid.uuid4()
    ask(api_client, user, mode="medium")
    # key check (+ last-use stamp at most a minute), profile, plan, blocks, items, outcomes
    with django_assert_max_num_queries(7):
        ask(api_client, user, mode="medium")


def test_profiles_for_users_planned_before_the_change(task_library):
    """Migration routines 0004: users with plans and no profile get one."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("routines.migrations.0007_profiles_for_planned_users")
    user, planned_user = uuid.uuid4(), uuid.uuid4()
    ProfileFactory(user_id=user, archetype="Peak Performer")
    PlanFactory(user_id=user, date=DAY)
    PlanFactory(user_id=planned_user, date=date(2026, 11, 20), archetype="Foundation Builder")
    PlanFactory(
        user_id=planned_user,
        date=DAY,
        archetype="Resilience Rebuilder",
        readiness_mode="low",
        wake_time=time(7),
    )
    migration.create_missing_profiles(apps, None)
    created = UserPreferenceProfile.objects.get(user_id=planned_user)
    assert (created.archetype, created.current_mode) == ("Resilience Rebuilder", "low")
    assert created.discovery_start_date == date(2026, 11, 20)
    assert UserPreferenceProfile.objects.count() == 2
