import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from prometheus_client import REGISTRY

from feedback import services
from feedback.models import UserTaskFeedback
from feedback.services import FeedbackRejected, Outcome, PlanItemNotFound, record_feedback
from profiles.models import UserPreferenceProfile
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(services.timezone, "now", lambda: NOW)


def test_first_feedback_creates_row_and_profile(plan):
    item = plan.items[0]
    result = record_feedback(item.user_id, item.id, completed=True)
    assert result.recorded and result.created == [True]
    row = UserTaskFeedback.objects.get()
    assert row.user_id == item.user_id
    assert row.task_library_id == item.task_library_id
    assert row.scheduled_date == item.scheduled_date
    assert row.scheduled_time == item.scheduled_time
    assert row.category == item.category
    assert row.mode_at_time == "medium"
    assert row.completed and not row.skipped
    assert row.completed_at == NOW
    profile = UserPreferenceProfile.objects.get(user_id=item.user_id)
    assert profile.archetype == "Connected Explorer"
    assert profile.total_tasks_completed == 1
    assert profile.total_tasks_scheduled == 1
    assert profile.completion_rate == 1.0
    assert profile.current_streak == 1
    assert profile.last_analyzed_at == NOW


def test_later_call_updates_and_keeps_what_it_leaves_out(plan):
    item = plan.items[0]
    first_time = datetime(2026, 11, 24, 6, 40, tzinfo=UTC)
    record_feedback(item.user_id, item.id, completed=True, completed_at=first_time)
    result = record_feedback(item.user_id, item.id, completed=True, satisfaction_rating=4)
    assert result.created == [False]
    row = UserTaskFeedback.objects.get()
    assert row.completed_at == first_time
    assert row.satisfaction_rating == 4
    record_feedback(item.user_id, item.id, completed=True, user_notes="Loved it")
    row.refresh_from_db()
    assert (row.satisfaction_rating, row.user_notes) == (4, "Loved it")
    assert UserTaskFeedback.objects.count() == 1
    assert UserPreferenceProfile.objects.get().total_tasks_scheduled == 1


def test_uncompleting_clears_completion_time(plan):
    item = plan.items[0]
    record_feedback(item.user_id, item.id, completed=True)
    record_feedback(item.user_id, item.id, completed=False, skip_reason="no_time")
    row = UserTaskFeedback.objects.get()
    assert (row.completed, row.skipped, row.completed_at, row.skip_reason) == (
        False,
        True,
        None,
        "no_time",
    )
    assert UserPreferenceProfile.objects.get().total_tasks_completed == 0


def test_early_and_late_minutes_are_timezone_correct(plan):
    item = plan.items[0]  # scheduled 06:35 local
    ProfileFactory(user_id=item.user_id, timezone="Europe/Berlin")
    scheduled = datetime.combine(item.scheduled_date, item.scheduled_time)
    # 06:25 Berlin = 05:25 UTC: ten minutes early
    early = scheduled.replace(tzinfo=UTC) - timedelta(hours=1, minutes=10)
    record_feedback(item.user_id, item.id, completed=True, completed_at=early)
    assert UserTaskFeedback.objects.get().completed_early_minutes == 10
    # A naive time from the Dart client is the user's local clock: 20 minutes late.
    second = plan.items[1]
    late_local = datetime.combine(second.scheduled_date, second.scheduled_time) + timedelta(
        minutes=20
    )
    record_feedback(item.user_id, second.id, completed=True, completed_at=late_local)
    assert UserTaskFeedback.objects.get(plan_item_id=second.id).completed_early_minutes == -20


def test_late_completion_is_negative(plan):
    item = plan.items[0]
    scheduled = datetime.combine(item.scheduled_date, item.scheduled_time, tzinfo=UTC)
    record_feedback(
        item.user_id, item.id, completed=True, completed_at=scheduled + timedelta(minutes=45)
    )
    assert UserTaskFeedback.objects.get().completed_early_minutes == -45


def test_another_users_plan_item_is_not_found(plan):
    with pytest.raises(PlanItemNotFound):
        record_feedback(uuid.uuid4(), plan.items[0].id, completed=True)
    with pytest.raises(PlanItemNotFound):
        record_feedback(plan.plan.user_id, uuid.uuid4(), completed=True)
    assert not UserTaskFeedback.objects.exists()
    assert not UserPreferenceProfile.objects.exists()


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"completed": True, "completed_at": NOW + timedelta(days=2)}, "completed_at"),
        ({"completed": True, "completed_at": NOW - timedelta(days=30)}, "completed_at"),
        ({"completed": False, "completed_at": NOW}, "completed_at"),
        ({"completed": True, "skip_reason": "too_hard"}, "skip_reason"),
    ],
)
def test_rejected_outcomes_write_nothing(plan, kwargs, field):
    item = plan.items[0]
    with pytest.raises(FeedbackRejected) as raised:
        record_feedback(item.user_id, item.id, **kwargs)
    assert raised.value.field == field
    assert not UserTaskFeedback.objects.exists()
    assert not UserPreferenceProfile.objects.exists()


def test_a_batch_with_one_bad_outcome_writes_nothing(plan):
    user = plan.plan.user_id
    outcomes = [
        Outcome(plan.items[0].id, True),
        Outcome(plan.items[1].id, True, skip_reason="forgot"),
    ]
    with pytest.raises(FeedbackRejected):
        services.record_outcomes(user, outcomes)
    assert not UserTaskFeedback.objects.exists()


def test_collection_disabled_stores_nothing(plan, settings):
    settings.FEEDBACK_COLLECTION_ENABLED = False
    result = record_feedback(plan.plan.user_id, plan.items[0].id, completed=True)
    assert result.recorded is False
    assert not UserTaskFeedback.objects.exists()


def test_feedback_is_counted(plan):
    before = REGISTRY.get_sample_value("task_feedback_recorded_total") or 0
    record_feedback(plan.plan.user_id, plan.items[0].id, completed=True)
    assert REGISTRY.get_sample_value("task_feedback_recorded_total") == before + 1


def test_recording_costs_a_bounded_number_of_queries(plan, django_assert_max_num_queries):
    """Lock the profile, read item + plan + feedback, write, relearn in one read, update.

    Inside the test's transaction the call's own transaction is a savepoint: +2 statements.
    The first call also creates the profile and folds the user's (empty) past into a new
    totals row: fold, insert, read again (feedback/totals.py).
    """
    user = plan.plan.user_id
    with django_assert_max_num_queries(13):
        record_feedback(user, plan.items[0].id, completed=True)
    with django_assert_max_num_queries(7):
        record_feedback(user, plan.items[1].id, completed=False, skip_reason="no_time")
    with django_assert_max_num_queries(7):
        record_feedback(user, plan.items[1].id, completed=True, satisfaction_rating=2)


def test_streak_uses_the_users_local_day(task_library, monkeypatch):
    """At 20:00 UTC it is already the next day in Kiritimati (UTC+14)."""
    from routines.services import generate_plan

    user = uuid.uuid4()
    ProfileFactory(user_id=user, timezone="Pacific/Kiritimati")
    for offset in (-1, 0, 1):  # 23, 24, 25 November local
        day = NOW.date() + timedelta(days=offset)
        stored = generate_plan(user, "Foundation Builder", day)
        record_feedback(user, stored.items[0].id, completed=True)
    profile = UserPreferenceProfile.objects.get(user_id=user)
    assert profile.current_streak == 3  # 25 Nov is "today" there
    monkeypatch.setattr(services.timezone, "now", lambda: NOW + timedelta(days=2))
    services.recompute_profile(profile)
    assert profile.current_streak == 0
    assert profile.longest_streak == 3


def test_profile_matches_a_recomputation_from_scratch(plan):
    user = plan.plan.user_id
    for index, item in enumerate(plan.items):
        record_feedback(user, item.id, completed=index % 3 != 0)
    profile = UserPreferenceProfile.objects.get(user_id=user)
    snapshot = {
        f: getattr(profile, f)
        for f in (
            "total_tasks_completed",
            "total_tasks_scheduled",
            "completion_rate",
            "category_affinity",
        )
    }
    services.recompute_profile(profile)
    assert snapshot == {f: getattr(profile, f) for f in snapshot}
    assert profile.total_tasks_scheduled == 15
    assert profile.total_tasks_completed == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_feedback_for_one_user_loses_nothing(plan):
    user = plan.plan.user_id
    items = plan.items[:5]
    barrier = threading.Barrier(20)
    errors = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            item = items[n % len(items)]
            done = n % 2 == 0
            # A rating only with a completion (issue 15: a skip has none).
            rating = (n % 5) + 1 if done else None
            record_feedback(user, item.id, completed=done, satisfaction_rating=rating)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert UserTaskFeedback.objects.filter(user_id=user).count() == 5
    assert UserPreferenceProfile.objects.filter(user_id=user).count() == 1
    profile = UserPreferenceProfile.objects.get(user_id=user)
    stored = (profile.total_tasks_scheduled, profile.total_tasks_completed, profile.completion_rate)
    services.recompute_profile(profile)
    assert stored == (
        profile.total_tasks_scheduled,
        profile.total_tasks_completed,
        profile.completion_rate,
    )
    assert profile.total_tasks_scheduled == 5


def test_updating_several_rows_in_one_call_stamps_each(plan, monkeypatch):
    user = plan.plan.user_id
    items = plan.items[:3]
    services.record_outcomes(user, [Outcome(i.id, completed=True) for i in items])
    UserTaskFeedback.objects.filter(user_id=user).update(updated_at=NOW - timedelta(days=3))
    result = services.record_outcomes(
        user, [Outcome(i.id, completed=False, skip_reason="no_time") for i in items]
    )
    assert result.created == [False, False, False]
    rows = UserTaskFeedback.objects.filter(user_id=user)
    assert rows.count() == 3
    assert all(r.skipped and r.skip_reason == "no_time" and r.completed_at is None for r in rows)
    assert all(r.updated_at > NOW - timedelta(days=1) for r in rows)
