"""The hand-written reads on the feedback path, checked against plain Python over the rows."""

import uuid
from collections import Counter
from datetime import date, timedelta

import pytest

from feedback.models import UserTaskFeedback
from feedback.selectors import feedback_targets, outcome_history
from library.models import Task
from profiles.learning import OutcomeGroup
from tests.factories import FeedbackFactory, PlanFactory, PlanItemFactory, TaskFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
SINCE = TODAY - timedelta(days=13)
EVIDENCE_SINCE = TODAY - timedelta(days=27)


def _expected_groups(rows, since) -> Counter:
    counts: Counter = Counter()
    for fb in rows:
        if fb.scheduled_date < since:
            continue
        task = fb.task_library
        key = (
            fb.category,
            task.subcategory if task else None,
            task.difficulty if task else None,
            fb.time_of_day,
        )
        counts[(*key, "seen")] += 1
        counts[(*key, "done")] += fb.completed
    return counts


def _as_counter(groups: list[OutcomeGroup]) -> Counter:
    counts: Counter = Counter()
    for g in groups:
        key = (g.category, g.subcategory, g.difficulty, g.time_of_day)
        counts[(*key, "seen")] += g.seen
        counts[(*key, "done")] += g.completed
    return counts


@pytest.fixture
def history():
    """One user's outcomes across both windows, plus another user's that must not count."""
    user = uuid.uuid4()
    water = TaskFactory(subcategory="water", difficulty="beginner")
    tea = TaskFactory(subcategory="tea", difficulty="advanced")
    walk = TaskFactory(category="movement", subcategory="walk", difficulty="intermediate")
    plan = [
        (TODAY, water, True, "morning"),
        (TODAY, tea, False, "evening"),
        (TODAY - timedelta(days=1), water, True, "morning"),
        (TODAY - timedelta(days=3), walk, True, "afternoon"),
        (TODAY - timedelta(days=13), tea, True, "evening"),  # first day of the window
        (TODAY - timedelta(days=14), walk, False, "afternoon"),  # evidence only
        (TODAY - timedelta(days=20), None, True, "any"),  # task since deleted
        (TODAY - timedelta(days=40), walk, True, "afternoon"),  # lifetime only
    ]
    plans = {day: PlanFactory(user_id=user, date=day) for day in {row[0] for row in plan}}
    for day, task, completed, part in plan:
        FeedbackFactory(
            plan_item=PlanItemFactory(
                time_block__plan=plans[day], category=task.category if task else "hydration"
            ),
            task_library=task,
            category=task.category if task else "hydration",
            time_of_day=part,
            completed=completed,
            skipped=not completed,
        )
    FeedbackFactory(task_library=water, completed=True)  # someone else
    return user


def test_outcome_history_matches_python_over_the_rows(history):
    rows = list(UserTaskFeedback.objects.filter(user_id=history).select_related("task_library"))
    result = outcome_history(history, SINCE, EVIDENCE_SINCE)

    assert _as_counter(result.groups) == _expected_groups(rows, SINCE)
    assert _as_counter(result.evidence_groups) == _expected_groups(rows, EVIDENCE_SINCE)
    assert result.seen == 8
    assert result.completed == 6
    assert result.unique_tasks == 3  # water, tea, walk (the deleted task has no id)
    assert result.unique_recent_tasks == 3  # water, walk and tea (on the window's first day)
    assert result.active_days == 7
    assert sorted(result.completed_days) == sorted(
        {fb.scheduled_date for fb in rows if fb.completed}
    )
    assert all(isinstance(day, date) for day in result.completed_days)


def test_outcome_history_of_a_user_without_feedback_is_empty():
    result = outcome_history(uuid.uuid4(), SINCE, EVIDENCE_SINCE)
    assert (result.groups, result.evidence_groups, result.completed_days) == ([], [], [])
    assert (result.seen, result.completed, result.unique_tasks, result.active_days) == (0, 0, 0, 0)


def test_outcome_history_sees_an_edited_task_under_its_new_subcategory(history):
    Task.objects.filter(subcategory="tea").update(subcategory="herbal")
    result = outcome_history(history, SINCE, EVIDENCE_SINCE)
    assert {g.subcategory for g in result.evidence_groups} >= {"herbal"}
    assert "tea" not in {g.subcategory for g in result.evidence_groups}


def test_feedback_targets_join_item_plan_and_existing_feedback():
    mine = PlanItemFactory(
        time_block__plan__readiness_mode="low", time_block__plan__archetype="Peak Performer"
    )
    recorded = FeedbackFactory(
        plan_item__time_block__plan__user_id=mine.user_id,
        plan_item__time_block__plan__date=mine.scheduled_date - timedelta(days=1),
        satisfaction_rating=5,
    )
    theirs = PlanItemFactory()

    targets = feedback_targets(
        mine.user_id, [mine.id, recorded.plan_item_id, theirs.id, mine.id, uuid.uuid4()]
    )

    assert set(targets) == {mine.id, recorded.plan_item_id}
    fresh = targets[mine.id]
    assert (fresh.archetype, fresh.readiness_mode) == ("Peak Performer", "low")
    assert fresh.feedback is None
    assert fresh.item.scheduled_date == mine.scheduled_date
    assert fresh.item.scheduled_time == mine.scheduled_time
    assert fresh.item.time_of_day == mine.time_of_day
    existing = targets[recorded.plan_item_id].feedback
    assert existing.pk == recorded.pk
    assert existing.satisfaction_rating == 5 and existing.completed is True
    assert feedback_targets(mine.user_id, []) == {}
