"""State an app can resync from (issue 15): the list of a user's plans, each task's
recorded outcome, and undo."""

import uuid
from datetime import date, timedelta

import pytest

from profiles.models import UserPreferenceProfile
from routines.selectors import page_window
from routines.services import generate_plan
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 4)
FEEDBACK = "/api/v1/feedback/task"


@pytest.mark.parametrize(
    "first,last,expected",
    [
        (None, None, (date(2026, 11, 4), TODAY, None)),
        (date(2026, 12, 1), None, (date(2026, 12, 1), TODAY, None)),
        (
            date(2026, 9, 1),
            TODAY,
            (date(2026, 11, 4), TODAY, (date(2026, 9, 1), date(2026, 11, 3))),
        ),
        (date(2026, 11, 4), TODAY, (date(2026, 11, 4), TODAY, None)),
        (date(2026, 12, 5), TODAY, (date(2026, 12, 5), TODAY, None)),  # empty range
    ],
)
def test_page_window(first, last, expected):
    assert page_window(first, last, TODAY, 31) == expected


@pytest.fixture
def history(task_library):
    """A user with plans on the 40 days up to TODAY."""
    profile = ProfileFactory(archetype="Peak Performer")
    for offset in range(40):
        generate_plan(profile.user_id, "Peak Performer", TODAY - timedelta(days=offset))
    return profile.user_id


def plans_url(user, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/api/v1/plans/{user}" + (f"?{params}" if params else "")


def test_pages_run_newest_first_and_link_the_older_days(api_client, history):
    first = api_client.get(plans_url(history, **{"from": "2026-10-26", "to": "2026-12-04"}))
    assert first.status_code == 200
    body = first.json()
    dates = [plan["date"] for plan in body["results"]]
    assert dates[0] == "2026-12-04" and dates[-1] == "2026-11-04"
    assert dates == sorted(dates, reverse=True) and len(dates) == 31
    assert (body["from"], body["to"]) == ("2026-11-04", "2026-12-04")
    assert "from=2026-10-26" in body["next"] and "to=2026-11-03" in body["next"]
    older = api_client.get(body["next"]).json()
    assert older["results"][0]["date"] == "2026-11-03"
    assert older["results"][-1]["date"] == "2026-10-26"
    assert older["next"] is None


def test_without_a_range_the_page_ends_on_the_users_local_today(api_client, history):
    from profiles.selectors import local_today

    UserPreferenceProfile.objects.filter(user_id=history).update(timezone="Pacific/Kiritimati")
    today = local_today(UserPreferenceProfile.objects.get(user_id=history))
    body = api_client.get(plans_url(history)).json()
    assert body["to"] == today.isoformat()
    assert body["from"] == (today - timedelta(days=30)).isoformat()


def test_the_page_costs_the_same_for_one_day_and_a_month(
    api_client, history, django_assert_num_queries
):
    """Key, profile (local today), plans, blocks, items, outcomes: 6 whatever the range.

    (The key's last-use stamp is written at most once a minute: warmed up first.)
    """
    api_client.get(plans_url(history, **{"from": "2026-12-04", "to": "2026-12-04"}))
    with django_assert_num_queries(6):
        one = api_client.get(plans_url(history, **{"from": "2026-12-04", "to": "2026-12-04"}))
    with django_assert_num_queries(6):
        month = api_client.get(plans_url(history, **{"from": "2026-09-01", "to": "2026-12-04"}))
    assert len(one.json()["results"]) == 1 and len(month.json()["results"]) == 31


def tick(client, user, item, **fields):
    body = {"user_id": str(user), "plan_item_id": str(item), "completed": True, **fields}
    return client.post(FEEDBACK, body, format="json")


def test_tasks_carry_their_recorded_outcome(api_client, history):
    stored = generate_plan(history, "Peak Performer", TODAY)
    done, skipped, silent = stored.items[:3]
    tick(api_client, history, done.id, completed_at="2026-12-04T06:40:00")
    tick(api_client, history, done.id, satisfaction_rating=4)
    tick(api_client, history, skipped.id, completed=False, skip_reason="no_time")
    for url in (f"/api/v1/plans/{history}/2026-12-04", plans_url(history, to="2026-12-04")):
        body = api_client.get(url).json()
        plan = body["results"][0] if "results" in body else body
        by_id = {
            t["plan_item_id"]: t["outcome"]
            for b in plan["content"]["time_blocks"]
            for t in b["tasks"]
        }
        assert by_id[str(done.id)] == {
            "completed": True,
            "completed_at": "2026-12-04T06:40:00Z",
            "satisfaction_rating": 4,
            "skip_reason": None,
        }
        assert by_id[str(skipped.id)] == {
            "completed": False,
            "completed_at": None,
            "satisfaction_rating": None,
            "skip_reason": "no_time",
        }
        assert by_id[str(silent.id)] is None


def test_undo_removes_the_outcome_relearns_and_is_idempotent(api_client, history):
    item = generate_plan(history, "Peak Performer", TODAY).items[0]
    tick(api_client, history, item.id, completed_at="2026-12-04T06:40:00", satisfaction_rating=5)
    assert UserPreferenceProfile.objects.get(user_id=history).total_tasks_completed == 1
    for _ in range(2):
        response = api_client.delete(f"{FEEDBACK}/{item.id}")
        assert response.status_code == 204 and not response.content
    assert UserPreferenceProfile.objects.get(user_id=history).total_tasks_completed == 0
    plan = api_client.get(f"/api/v1/plans/{history}/2026-12-04").json()
    assert plan["content"]["time_blocks"][0]["tasks"][0]["outcome"] is None


def test_undo_of_an_unknown_item_is_404(api_client, db):
    response = api_client.delete(f"{FEEDBACK}/{uuid.uuid4()}")
    assert response.status_code == 404


@pytest.fixture
def ticked(api_client, task_library):
    profile = ProfileFactory(archetype="Peak Performer")
    item = generate_plan(profile.user_id, "Peak Performer", TODAY).items[0]
    tick(api_client, profile.user_id, item.id, completed_at="2026-12-04T06:40:00")
    return profile.user_id, item.id


@pytest.mark.parametrize(
    "caller,status",
    [("owner", 204), ("service", 204), ("stranger", 404), ("anonymous", 401)],
)
def test_undo_grid(ticked, api_client, user_client, anon_client, caller, status):
    from feedback.models import UserTaskFeedback

    user, item = ticked
    client = {
        "owner": user_client(user),
        "service": api_client,
        "stranger": user_client(uuid.uuid4()),
        "anonymous": anon_client,
    }[caller]
    response = client.delete(f"{FEEDBACK}/{item}/")
    assert response.status_code == status
    assert UserTaskFeedback.objects.exists() == (status != 204)


@pytest.mark.parametrize("caller,status", [("owner", 200), ("stranger", 404), ("anonymous", 401)])
def test_list_grid(ticked, user_client, anon_client, caller, status):
    user, _ = ticked
    client = {
        "owner": user_client(user),
        "stranger": user_client(uuid.uuid4()),
        "anonymous": anon_client,
    }[caller]
    response = client.get(plans_url(user, to="2026-12-04"))
    assert response.status_code == status
    if status == 200:
        assert (
            response.json()["results"][0]["content"]["time_blocks"][0]["tasks"][0]["outcome"][
                "completed"
            ]
            is True
        )
