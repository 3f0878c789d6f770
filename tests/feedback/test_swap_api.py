"""POST /api/v1/plans/{user_id}/{date}/items/{plan_item_id}/swap: who may call, what it
answers, retries, and bad input that writes nothing."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.models import UserTaskFeedback
from profiles.services import update_profile
from routines.models import PlanItem, TaskRotationState
from routines.services import generate_plan

pytestmark = pytest.mark.django_db

ARCHETYPE = "Connected Explorer"


def swap_url(user_id, day, item_id) -> str:
    return f"/api/v1/plans/{user_id}/{day.isoformat()}/items/{item_id}/swap"


def plan_for(user_id, day, **options):
    """A user's stored plan, with the profile the API's first plan creates."""
    update_profile(user_id, archetype=ARCHETYPE, current_mode="medium")
    return generate_plan(user_id, ARCHETYPE, day, mode="medium", **options)


@pytest.fixture
def today_plan(task_library):
    return plan_for(uuid.uuid4(), timezone.localdate())


def first_item(stored):
    return stored.items[0]


def written_rows() -> tuple[int, int, int]:
    return (
        PlanItem.objects.count(),
        UserTaskFeedback.objects.count(),
        sum(TaskRotationState.objects.values_list("times_used", flat=True)),
    )


def tasks_of(plan_json) -> list[dict]:
    return [t for block in plan_json["content"]["time_blocks"] for t in block["tasks"]]


def test_owner_swaps_a_task_and_gets_the_plan_back(today_plan, user_client):
    plan = today_plan.plan
    item = first_item(today_plan)
    response = user_client(plan.user_id).post(swap_url(plan.user_id, plan.date, item.id))
    assert response.status_code == 200, response.json()
    body = response.json()
    swap = body["swap"]
    assert swap["swapped_plan_item_id"] == str(item.id)
    assert swap["replayed"] is False
    tasks = tasks_of(body)
    ids = [t["plan_item_id"] for t in tasks]
    assert str(item.id) not in ids
    assert swap["plan_item_id"] in ids
    # The replacement takes the swapped task's place: same block, position and start.
    assert ids.index(swap["plan_item_id"]) == 0
    assert tasks[0]["start_time"] == item.scheduled_time.strftime("%I:%M %p")
    assert len(tasks) == len(today_plan.items)
    assert body["id"] == str(plan.id)


def test_service_key_may_swap_for_any_user(today_plan, api_client):
    plan = today_plan.plan
    response = api_client.post(swap_url(plan.user_id, plan.date, first_item(today_plan).id))
    assert response.status_code == 200


def test_another_user_gets_404_and_nothing_is_written(today_plan, user_client):
    plan = today_plan.plan
    before = written_rows()
    response = user_client(uuid.uuid4()).post(
        swap_url(plan.user_id, plan.date, first_item(today_plan).id)
    )
    assert response.status_code == 404
    assert written_rows() == before


def test_anonymous_gets_401(today_plan, anon_client):
    plan = today_plan.plan
    response = anon_client.post(swap_url(plan.user_id, plan.date, first_item(today_plan).id))
    assert response.status_code == 401


def test_the_trailing_slash_is_served_the_same(today_plan, api_client):
    plan = today_plan.plan
    url = swap_url(plan.user_id, plan.date, first_item(today_plan).id) + "/"
    assert api_client.post(url).status_code == 200


def test_a_retried_request_does_not_swap_twice(today_plan, api_client):
    """The same request replayed after a timeout answers the same plan and replacement."""
    plan = today_plan.plan
    url = swap_url(plan.user_id, plan.date, first_item(today_plan).id)
    first = api_client.post(url).json()
    after_first = written_rows()
    again = api_client.post(url)
    assert again.status_code == 200
    body = again.json()
    assert body["swap"]["replayed"] is True
    assert body["swap"]["plan_item_id"] == first["swap"]["plan_item_id"]
    assert tasks_of(body) == tasks_of(first)
    assert written_rows() == after_first


def test_swapping_the_replacement_is_a_new_swap_of_the_slot(today_plan, api_client, settings):
    settings.SWAPS_PER_ITEM = 2
    plan = today_plan.plan
    item = first_item(today_plan)
    first = api_client.post(swap_url(plan.user_id, plan.date, item.id)).json()["swap"]
    second = api_client.post(swap_url(plan.user_id, plan.date, first["plan_item_id"]))
    assert second.status_code == 200
    third = api_client.post(
        swap_url(plan.user_id, plan.date, second.json()["swap"]["plan_item_id"])
    )
    assert third.status_code == 409
    error = third.json()["error"]
    assert error["code"] == "swap_limit_item"
    assert "plan_item_id" in error["fields"]
    # The first request replayed now answers the slot's current task.
    replay = api_client.post(swap_url(plan.user_id, plan.date, item.id)).json()["swap"]
    assert replay["plan_item_id"] == second.json()["swap"]["plan_item_id"]


def test_at_most_n_swaps_a_day(today_plan, api_client, settings):
    settings.SWAPS_PER_DAY = 2
    plan = today_plan.plan
    answers = [
        api_client.post(swap_url(plan.user_id, plan.date, item.id)) for item in today_plan.items[:3]
    ]
    assert [a.status_code for a in answers] == [200, 200, 409]
    assert answers[2].json()["error"]["code"] == "swap_limit_day"
    assert "2 tasks" in answers[2].json()["error"]["message"]


@pytest.mark.parametrize("completed", [True, False])
def test_an_answered_task_cannot_be_swapped(today_plan, api_client, completed):
    plan = today_plan.plan
    item = first_item(today_plan)
    recorded = api_client.post(
        "/api/v1/feedback/task",
        {"user_id": str(plan.user_id), "plan_item_id": str(item.id), "completed": completed},
        format="json",
    )
    assert recorded.status_code == 201
    before = written_rows()
    response = api_client.post(swap_url(plan.user_id, plan.date, item.id))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == ("already_completed" if completed else "already_skipped")
    assert error["fields"] == {"plan_item_id": [error["message"]]}
    assert written_rows() == before


def test_a_swapped_task_takes_no_feedback_and_its_swap_cannot_be_undone(today_plan, api_client):
    plan = today_plan.plan
    item = first_item(today_plan)
    api_client.post(swap_url(plan.user_id, plan.date, item.id))
    before = written_rows()
    tick = api_client.post(
        "/api/v1/feedback/task",
        {"user_id": str(plan.user_id), "plan_item_id": str(item.id), "completed": True},
        format="json",
    )
    assert tick.status_code == 400
    assert "plan_item_id" in tick.json()["error"]["fields"]
    undo = api_client.delete(f"/api/v1/feedback/task/{item.id}")
    assert undo.status_code == 400
    assert "plan_item_id" in undo.json()["error"]["fields"]
    assert written_rows() == before


@pytest.mark.parametrize(
    "case, status, field",
    [
        ("unknown item", 404, "plan_item_id"),
        ("another user's item", 404, "plan_item_id"),
        ("item of another day", 404, "plan_item_id"),
        ("no plan that day", 404, "date"),
        ("a day that is over", 409, "date"),
        ("malformed date", 400, "date"),
        ("date not a calendar day", 400, "date"),
        ("malformed item", 400, "plan_item_id"),
        ("malformed user", 400, "user_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(today_plan, api_client, case, status, field):
    plan = today_plan.plan
    user, day, item = plan.user_id, plan.date.isoformat(), str(first_item(today_plan).id)
    if case == "unknown item":
        item = str(uuid.uuid4())
    elif case == "another user's item":
        other = generate_plan(uuid.uuid4(), ARCHETYPE, plan.date)
        item = str(other.items[0].id)
    elif case == "item of another day":
        tomorrow = generate_plan(user, ARCHETYPE, plan.date + timedelta(days=1))
        item = str(tomorrow.items[0].id)
    elif case == "no plan that day":
        day = (plan.date + timedelta(days=3)).isoformat()
    elif case == "a day that is over":
        yesterday = generate_plan(user, ARCHETYPE, plan.date - timedelta(days=1))
        day, item = yesterday.plan.date.isoformat(), str(yesterday.items[0].id)
    elif case == "malformed date":
        day = "2026-W48-3"
    elif case == "date not a calendar day":
        day = "2026-02-30"
    elif case == "malformed item":
        item = "not-a-uuid"
    elif case == "malformed user":
        user = "nobody"
    before = written_rows()
    response = api_client.post(f"/api/v1/plans/{user}/{day}/items/{item}/swap")
    assert response.status_code == status, response.json()
    assert field in response.json()["error"]["fields"]
    assert written_rows() == before


def test_a_swap_costs_a_bounded_number_of_queries_whatever_the_history(
    task_library, api_client, django_assert_max_num_queries
):
    """Locks, the plan, the checks, rotation history, four writes, the relearning read and
    the profile's update: the same with three weeks of history as on the first day."""
    today = timezone.localdate()
    fresh = plan_for(uuid.uuid4(), today)
    seasoned_user = uuid.uuid4()
    for days_ago in range(21, 0, -1):
        past = plan_for(seasoned_user, today - timedelta(days=days_ago))
        api_client.post(
            "/api/v1/feedback/task",
            {
                "user_id": str(seasoned_user),
                "plan_item_id": str(past.items[1].id),
                "completed": True,
            },
            format="json",
        )
    seasoned = generate_plan(seasoned_user, ARCHETYPE, today, mode="medium")
    for stored in (fresh, seasoned):
        # Auth (3), the swap (19 on the user's first relearning, which folds the totals;
        # 16 after), the plan's outcomes (1).
        url = swap_url(stored.plan.user_id, today, first_item(stored).id)
        with django_assert_max_num_queries(23):
            assert api_client.post(url).status_code == 200
        with django_assert_max_num_queries(9):  # the replay: locks, the plan, its outcomes
            assert api_client.post(url).status_code == 200
