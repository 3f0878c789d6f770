"""Swapping a task (feedback/swaps.py): plan rules, rotation and propensity invariants, the
swap as an outcome (learning, rollups, the weekly summary, the export), concurrency."""

import threading
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection

from feedback.models import DailyOutcomeRollup, UserTaskFeedback
from feedback.outcomes import item_outcomes
from feedback.rollup_reads import task_outcomes
from feedback.rollups import rollup_days
from feedback.selectors import weekly_summary
from feedback.services import Outcome, record_outcomes
from feedback.swaps import SwapRefused, swap_task
from library.selectors import active_candidates
from profiles import learning
from profiles.selectors import get_profile
from profiles.services import update_profile
from routines.models import PlanItem, TaskRotationState
from routines.selectors import swaps_by_task
from routines.services import generate_plan
from routines.swaps import current_items

pytestmark = pytest.mark.django_db

ARCHETYPE = "Connected Explorer"
DAY = date(2026, 11, 24)  # a Tuesday
MORNING = datetime.combine(DAY, time(5, 0), tzinfo=UTC)


def new_plan(day=DAY, user_id=None):
    user_id = user_id or uuid.uuid4()
    update_profile(user_id, archetype=ARCHETYPE, current_mode="medium")
    return generate_plan(user_id, ARCHETYPE, day, mode="medium")


def rotation_matches_stored_tasks(user_id) -> bool:
    stored = Counter(
        PlanItem.objects.filter(
            user_id=user_id, is_dynamic=True, replaced_by__isnull=True
        ).values_list("variation_group", flat=True)
    )
    rotation = {
        group: n
        for group, n in TaskRotationState.objects.filter(user_id=user_id).values_list(
            "variation_group", "times_used"
        )
        if n
    }
    return rotation == dict(stored)


def test_the_replacement_keeps_every_plan_rule(task_library, settings):
    settings.SWAPS_PER_DAY = 10
    for stored in (new_plan() for _ in range(3)):
        user = stored.plan.user_id
        by_block: dict = {}
        for item in stored.items:
            by_block.setdefault(item.time_block_id, []).append(item)
        for item in stored.items[::4]:
            result = swap_task(user, DAY, item.id, MORNING)
            new = result.replacement
            assert new.category == item.category
            assert new.time_of_day == item.time_of_day
            assert new.time_block_id == item.time_block_id
            assert (new.scheduled_date, new.scheduled_time) == (
                item.scheduled_date,
                item.scheduled_time,
            )
            assert new.position == item.position
            others = [i for i in current_items(result.stored) if i.id != new.id]
            day_tasks = {i.task_library_id for i in result.stored.items if i.id != new.id}
            assert new.task_library_id not in day_tasks
            # It ends before the next task of its block starts.
            following = [
                i.scheduled_time
                for i in others
                if i.time_block_id == new.time_block_id and i.scheduled_time > new.scheduled_time
            ]
            if following:
                assert new.end_time <= min(following)
            task = next(c for c in active_candidates() if c.id == str(new.task_library_id))
            assert task.time_of_day in (new.time_of_day, "any")
            assert task.difficulty != "advanced"  # medium day, tolerance 0.5


def test_rotation_counts_equal_the_stored_tasks_through_swaps_and_a_replan(task_library):
    stored = new_plan()
    user = stored.plan.user_id
    for item in stored.items[:3]:
        swap_task(user, DAY, item.id, MORNING)
        assert rotation_matches_stored_tasks(user)
    generate_plan(user, ARCHETYPE, DAY, mode="high", regenerate=True)
    assert rotation_matches_stored_tasks(user)


def test_each_item_keeps_its_own_propensity_and_slot_log(task_library):
    stored = new_plan()
    item = stored.items[2]
    result = swap_task(stored.plan.user_id, DAY, item.id, MORNING)
    old = PlanItem.objects.get(id=item.id)
    assert (old.propensity, bytes(old.slot_log)) == (item.propensity, bytes(item.slot_log))
    assert old.replaced_by == result.replacement.id and old.swapped_at == MORNING
    new = PlanItem.objects.get(id=result.replacement.id)
    assert 0 < new.propensity <= 1
    assert new.policy == item.policy
    assert new.slot_log and bytes(new.slot_log) != bytes(old.slot_log)


def test_no_other_candidate_is_a_409_and_nothing_changes(task_library):
    stored = new_plan()
    item = stored.items[0]
    # A library holding only the day's own tasks: nothing else can fill the slot.
    planned = {str(i.task_library_id) for i in stored.items}
    only_planned = [c for c in active_candidates() if c.id in planned]
    before = (PlanItem.objects.count(), UserTaskFeedback.objects.count())
    rotation = list(TaskRotationState.objects.values_list("variation_group", "times_used"))
    with pytest.raises(SwapRefused) as refused:
        swap_task(stored.plan.user_id, DAY, item.id, MORNING, candidates=only_planned)
    assert (refused.value.status, refused.value.code) == (409, "no_other_task")
    assert (PlanItem.objects.count(), UserTaskFeedback.objects.count()) == before
    assert list(TaskRotationState.objects.values_list("variation_group", "times_used")) == (
        rotation
    )


def test_a_swap_is_an_outcome_taught_like_a_not_interested_skip(task_library):
    stored = new_plan()
    user = stored.plan.user_id
    item = stored.items[1]
    before = get_profile(user).evidence.get("arm", {})
    swap_task(user, DAY, item.id, MORNING)
    states = {o.item_id: o.group.state for o in item_outcomes([user], DAY, DAY + timedelta(1))}
    assert states[item.id] == learning.SWAPPED
    swapped = learning.OutcomeGroup("movement", "yoga", "beginner", "morning", "swapped", 1)
    skipped = learning.OutcomeGroup(
        "movement", "yoga", "beginner", "morning", "skipped", 1, "not_interested"
    )
    assert learning.teaching(swapped) == learning.teaching(skipped)
    # The profile was relearned in the same call: the arm's evidence holds the refusal.
    task = next(c for c in active_candidates() if c.id == str(item.task_library_id))
    after = get_profile(user).evidence["arm"][task.arm]
    assert after[1] - before.get(task.arm, [0, 0])[1] == pytest.approx(2.0)
    assert after[0] == before.get(task.arm, [0, 0])[0]


def test_rollups_count_swaps_per_task_for_the_editors(task_library):
    stored = new_plan()
    item = stored.items[0]
    swap_task(stored.plan.user_id, DAY, item.id, MORNING)
    rollup_days(DAY, DAY, DAY + timedelta(days=1))
    rows = DailyOutcomeRollup.objects.filter(day=DAY, task_library_id=item.task_library_id)
    assert sum(r.swapped for r in rows) == 1
    assert sum(r.planned for r in rows) == 1  # the user saw it: it stays planned
    totals = {t.task_library_id: t for t in task_outcomes(DAY, DAY)}
    assert totals[item.task_library_id].swapped == 1
    assert totals[item.task_library_id].outcomes == 1


def test_the_weekly_summary_counts_swaps_and_promises_fewer_only_when_the_planner_will(
    task_library, settings
):
    stored = new_plan()
    user = stored.plan.user_id
    movement = [i for i in stored.items if i.category == "movement"]
    # The user did the rest of the day: evidence enough for the swapped kind to stand out.
    record_outcomes(
        user,
        [Outcome(i.id, True) for i in stored.items if i.category != "movement"],
        now=MORNING,
    )
    for item in movement:
        swap_task(user, DAY, item.id, MORNING)
    profile = get_profile(user)
    summary = weekly_summary(profile, DAY - timedelta(days=1), today=DAY + timedelta(days=1))
    assert summary.tasks_swapped == len(movement)
    week = next(c for c in summary.categories if c.category == "movement")
    assert week.swapped == len(movement)
    assert summary.tasks_scheduled == len(stored.items)  # the plan's tasks as they stand
    promises = [line for line in summary.changes if line.startswith("You swapped")]
    assert promises and all("fewer" in line for line in promises), summary.changes

    settings.SCORING_POLICY = "static"  # the static planner never changes its draw
    summary = weekly_summary(profile, DAY - timedelta(days=1), today=DAY + timedelta(days=1))
    lines = [line for line in summary.changes if line.startswith("You swapped")]
    assert lines and not any("fewer" in line for line in lines)


def test_the_export_names_the_swap(task_library):
    from privacy.export import export_chunks

    stored = new_plan()
    user = stored.plan.user_id
    item = stored.items[0]
    swap_task(user, DAY, item.id, MORNING)
    import json

    doc = json.loads("".join(export_chunks(user, now=MORNING + timedelta(days=2))))
    items = {i["id"]: i for plan in doc["plans"] for i in plan["items"]}
    assert items[str(item.id)]["outcome"] == "swapped"
    assert items[str(item.id)]["replaced_by"] in items
    assert [row["swapped"] for row in doc["feedback"]] == [True]


def test_the_plan_preview_shows_swap_counts_per_task(task_library, client):
    from django.contrib.auth.models import User
    from django.urls import reverse
    from django.utils import timezone

    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw-123-ed"))
    today = timezone.localdate()
    stored = new_plan(day=today)
    item = stored.items[0]
    swap_task(stored.plan.user_id, today, item.id)
    response = client.get(
        reverse("admin:routines_plan_preview"),
        {"archetype": ARCHETYPE, "mode": "medium", "date": today.isoformat(), "wake_time": "06:00"},
    )
    assert response.status_code == 200
    rows = [r for view in response.context["preview"] for s in view.slots for r in s.rows]
    counts = {r.name: r.swaps for r in rows}
    task = next(c for c in active_candidates() if c.id == str(item.task_library_id))
    assert counts.get(task.name, 1) == 1  # when the preview's slots offer it
    since = today - timedelta(days=27)
    assert swaps_by_task([str(item.task_library_id)], since, today) == {
        str(item.task_library_id): 1
    }
    assert "swapped" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_swaps_of_one_item_end_with_one_replacement(task_library):
    stored = new_plan()
    user, item = stored.plan.user_id, stored.items[0]
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(swap_task(user, DAY, item.id, MORNING))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(not r.replayed for r in results) == 1
    assert len({r.replacement.id for r in results}) == 1
    assert PlanItem.objects.filter(plan_id=stored.plan.id).count() == len(stored.items) + 1
    assert UserTaskFeedback.objects.filter(user_id=user, swapped=True).count() == 1
    assert rotation_matches_stored_tasks(user)


@pytest.mark.parametrize("held_out", [True, False])
def test_a_replacement_is_drawn_and_recorded_by_the_users_holdout_group(
    task_library, settings, held_out
):
    from routines import holdout

    settings.HOLDOUT_SHARE = 0.5
    settings.HOLDOUT_SALT = "test-salt"
    settings.SCORING_POLICY = "adaptive"
    user_id = next(u for u in iter(uuid.uuid4, None) if holdout.in_holdout(u) == held_out)
    new_plan(user_id=user_id)
    item = current_items_of(user_id)[0]
    swap_task(user_id, DAY, item.id, MORNING)
    policies = set(
        PlanItem.objects.filter(user_id=user_id, scheduled_date=DAY).values_list(
            "policy", flat=True
        )
    )
    # The replacement carries the same policy as the rest of the day's draft.
    assert policies == ({"static-v1:holdout"} if held_out else {"adaptive-v3"})


def current_items_of(user_id):
    return list(
        PlanItem.objects.filter(user_id=user_id, replaced_by__isnull=True).order_by("position")
    )
