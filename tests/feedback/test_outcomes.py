"""The one outcome model: completed, skipped, unanswered on active days, unexposed otherwise."""

import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from feedback import totals
from feedback.history import outcome_histories, outcome_history
from feedback.models import UserTaskFeedback
from feedback.outcomes import item_outcomes, week_outcomes
from feedback.services import Outcome, record_outcomes, relearn_users
from library.models import Task
from profiles.learning import streaks
from profiles.models import UserPreferenceProfile
from routines.services import generate_plan
from tests.factories import FeedbackFactory, PlanFactory, PlanItemFactory, TaskFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
SINCE = TODAY - timedelta(days=13)
EVIDENCE_SINCE = TODAY - timedelta(days=27)


def _evening(day: date) -> datetime:
    return datetime.combine(day, time(21, 0), tzinfo=UTC)


def _as_counter(groups) -> Counter:
    counts: Counter = Counter()
    for g in groups:
        key = (g.category, g.subcategory, g.difficulty, g.time_of_day)
        counts[(*key, "seen")] += g.count
        counts[(*key, "done")] += g.count if g.state == "completed" else 0
    return counts


def _expected_groups(rows, since) -> Counter:
    counts: Counter = Counter()
    for fb in rows:
        if not since <= fb.scheduled_date <= TODAY:
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


@pytest.fixture
def history():
    """One user's answered items across both windows, plus another user's that must not count."""
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
        (TODAY + timedelta(days=10), walk, False, "afternoon"),  # a later plan: not yet
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


def test_explicit_outcomes_match_python_over_the_rows(history):
    rows = list(UserTaskFeedback.objects.filter(user_id=history).select_related("task_library"))
    result = outcome_history(history, TODAY)

    assert _as_counter(result.groups) == _expected_groups(rows, SINCE)
    assert _as_counter(result.evidence_groups) == _expected_groups(rows, EVIDENCE_SINCE)
    assert result.seen == 8  # the later plan's skip is not counted yet
    assert result.completed == 6
    assert result.unique_tasks == 3  # water, tea, walk (the deleted task has no id)
    assert result.unique_recent_tasks == 3
    assert result.active_days == 7
    # Days older than the live window arrive folded: the streaks come out the same.
    all_completed_days = {fb.scheduled_date for fb in rows if fb.completed}
    assert streaks(result.completed_days, TODAY, result.streak_before) == streaks(
        all_completed_days, TODAY
    )
    assert min(result.completed_days) > TODAY - timedelta(days=totals.LIVE_READ_DAYS)
    # Days with feedback in the 14-day learning window: today, -1, -3, -13 (plan size).
    assert result.active_days_recent == 4


def test_groups_tell_the_fresh_week_from_the_weeks_before(history):
    result = outcome_history(history, TODAY)
    by_week = Counter()
    for g in result.evidence_groups:
        by_week[g.weeks_ago] += g.count
    # today x2, -1, -3 | -13 | -14, -20
    assert by_week == {0: 4, 1: 1, 2: 2}


def test_a_user_without_outcomes_is_empty():
    result = outcome_history(uuid.uuid4(), TODAY)
    assert (result.groups, result.evidence_groups, result.completed_days) == ([], [], [])
    assert (result.seen, result.completed, result.unique_tasks, result.active_days) == (0, 0, 0, 0)


def test_an_edited_task_counts_under_its_new_subcategory(history):
    Task.objects.filter(subcategory="tea").update(subcategory="herbal")
    result = outcome_history(history, TODAY)
    assert "herbal" in {g.subcategory for g in result.evidence_groups}
    assert "tea" not in {g.subcategory for g in result.evidence_groups}


def test_silence_on_an_active_day_is_unanswered_once_the_day_is_over(plan):
    user = plan.plan.user_id
    ticked = plan.items[:4]
    record_outcomes(user, [Outcome(i.id, True) for i in ticked], now=_evening(plan.plan.date))

    during = outcome_history(user, plan.plan.date)
    assert Counter(g.state for g in during.groups for _ in range(g.count)) == {"completed": 4}

    after = outcome_history(user, plan.plan.date + timedelta(days=1))
    states = Counter()
    for group in after.groups:
        states[group.state] += group.count
    assert states == {"completed": 4, "unanswered": len(plan.items) - 4}
    assert after.seen == len(plan.items)
    assert after.active_days == 1


def test_a_day_without_any_feedback_teaches_nothing(plan, task_library):
    user = plan.plan.user_id
    record_outcomes(user, [Outcome(plan.items[0].id, True)], now=_evening(plan.plan.date))
    unopened = generate_plan(user, plan.plan.archetype, plan.plan.date + timedelta(days=1))
    history = outcome_history(user, plan.plan.date + timedelta(days=5))
    days = {o.day for o in item_outcomes([user], plan.plan.date, plan.plan.date + timedelta(5))}
    assert unopened.plan.date not in days
    assert history.seen == len(plan.items)


def test_three_days_away_keep_the_affinities(plan, task_library):
    user = plan.plan.user_id
    day = plan.plan.date
    record_outcomes(
        user,
        [Outcome(i.id, n % 3 == 0) for n, i in enumerate(plan.items)],
        now=_evening(day),
    )
    relearn_users([user], day + timedelta(days=1))
    before = UserPreferenceProfile.objects.get(user_id=user)
    for offset in (1, 2, 3):
        generate_plan(user, plan.plan.archetype, day + timedelta(days=offset))
    relearn_users([user], day + timedelta(days=4))
    after = UserPreferenceProfile.objects.get(user_id=user)
    assert after.category_affinity == before.category_affinity
    assert after.subcategory_affinity == before.subcategory_affinity
    assert after.completion_rate == before.completion_rate
    assert after.evidence == before.evidence


def test_a_later_plans_feedback_does_not_leak_into_today(task_library):
    user = uuid.uuid4()
    today_plan = generate_plan(user, "Connected Explorer", TODAY)
    later = generate_plan(user, "Connected Explorer", TODAY + timedelta(days=10))
    record_outcomes(user, [Outcome(today_plan.items[0].id, True)], now=_evening(TODAY))
    record_outcomes(user, [Outcome(later.items[0].id, False)], now=_evening(TODAY))
    profile = UserPreferenceProfile.objects.get(user_id=user)
    assert profile.completion_rate == 1.0
    assert profile.total_tasks_scheduled == 1


def test_feedback_outlives_its_replaced_plan(plan, task_library):
    user = plan.plan.user_id
    record_outcomes(user, [Outcome(plan.items[0].id, True)], now=_evening(plan.plan.date))
    generate_plan(user, plan.plan.archetype, plan.plan.date, regenerate=True)
    outcomes = item_outcomes([user], plan.plan.date, plan.plan.date)
    assert [(o.item_id, o.group.state) for o in outcomes] == [(None, "completed")]


def test_week_outcomes_count_by_the_items_own_date(plan):
    user = plan.plan.user_id
    record_outcomes(user, [Outcome(plan.items[0].id, True)], now=_evening(plan.plan.date))
    counts = week_outcomes(user, plan.plan.date, plan.plan.date + timedelta(days=1))
    this_week = Counter()
    for row in counts:
        assert row.this_week
        this_week[row.state] += row.count
    assert this_week == {"completed": 1, "unanswered": len(plan.items) - 1}


def test_histories_for_a_batch_take_one_statement(task_library, django_assert_num_queries):
    users = [uuid.uuid4() for _ in range(3)]
    for user in users:
        stored = generate_plan(user, "Connected Explorer", TODAY)
        record_outcomes(user, [Outcome(stored.items[0].id, True)], now=_evening(TODAY))
    with django_assert_num_queries(1):
        histories = outcome_histories(users, TODAY + timedelta(days=1))
    assert set(histories) == set(users)
    assert all(h.seen == 15 and h.completed == 1 for h in histories.values())


def test_relearning_a_batch_takes_constant_statements(task_library, django_assert_num_queries):
    users = []
    for _ in range(4):
        user = uuid.uuid4()
        stored = generate_plan(user, "Connected Explorer", TODAY)
        record_outcomes(user, [Outcome(stored.items[0].id, True)], now=_evening(TODAY))
        users.append(user)
    # lock profiles, read outcomes, write profiles (+ the transaction's savepoint pair)
    with django_assert_num_queries(5):
        assert relearn_users(users, TODAY + timedelta(days=1)) == 4
    profile = UserPreferenceProfile.objects.get(user_id=users[0])
    assert profile.total_tasks_scheduled == 15
    assert profile.completion_rate == pytest.approx(1 / 15, abs=1e-4)
