"""Lifetime totals folded day by day agree with a recomputation from the raw rows."""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from feedback import totals, totals_check
from feedback.history import outcome_history, week_completions
from feedback.models import UserOutcomeTotals, UserTaskFeedback, UserTaskFirst
from feedback.selectors import _week_completions_from_everything, weekly_summary
from feedback.services import Outcome, record_outcomes, relearn_users
from profiles.models import UserPreferenceProfile
from routines.models import PlanItem
from tests.factories import (
    FeedbackFactory,
    PlanFactory,
    PlanItemFactory,
    ProfileFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

START = date(2026, 7, 1)
DAYS = 90
LIFETIME = (
    "total_tasks_scheduled",
    "total_tasks_completed",
    "unique_tasks_tried",
    "current_streak",
    "longest_streak",
)


def _random_history(seed: int, users: int = 3):
    """Per user and day: a plan of four items; feedback on some, none on some days."""
    rng = random.Random(seed)
    tasks = [TaskFactory(subcategory=f"s{n}") for n in range(6)]
    ids = []
    for _ in range(users):
        user = uuid.uuid4()
        ids.append(user)
        ProfileFactory(user_id=user)
        for offset in range(DAYS):
            day = START + timedelta(days=offset)
            plan = PlanFactory(user_id=user, date=day)
            opened = rng.random() < 0.7
            for position in range(4):
                task = rng.choice(tasks)
                item = PlanItemFactory(
                    plan=plan, time_block__plan=plan, position=position, task_library=task
                )
                if opened and rng.random() < 0.6:
                    done = rng.random() < 0.6
                    FeedbackFactory(
                        user_id=user,
                        plan_item=item,
                        task_library=task,
                        scheduled_date=day,
                        completed=done,
                        skipped=not done,
                    )
    return ids


def _lifetime(user):
    profile = UserPreferenceProfile.objects.get(user_id=user)
    return {name: getattr(profile, name) for name in LIFETIME}


def _from_scratch(users, day):
    """The same relearning with nothing folded yet: every day read from the raw rows."""
    UserOutcomeTotals.objects.filter(user_id__in=users).delete()
    UserTaskFirst.objects.filter(user_id__in=users).delete()
    relearn_users(users, day)
    return {user: _lifetime(user) for user in users}


@pytest.mark.parametrize("seed", [1, 2])
def test_nightly_folding_agrees_with_a_recomputation(task_library, seed):
    users = _random_history(seed)
    end = START + timedelta(days=DAYS)
    for offset in range(0, DAYS + 1, 3):  # nights, some skipped
        relearn_users(users, START + timedelta(days=offset))
    folded = {user: _lifetime(user) for user in users}
    stored = UserOutcomeTotals.objects.get(user_id=users[0])
    assert stored.folded_through >= end - timedelta(days=totals.LIVE_READ_DAYS)
    assert totals_check.check_totals(users) == []
    assert folded == _from_scratch(users, end)


def test_late_feedback_on_a_folded_day_is_counted(task_library):
    users = _random_history(3, users=1)
    user = users[0]
    end = START + timedelta(days=DAYS)
    relearn_users(users, end)
    old_day = START + timedelta(days=5)
    assert UserOutcomeTotals.objects.get(user_id=user).folded_through > old_day
    # Flip every item of an old day: completions become skips and silence becomes ticks.
    items = list(PlanItem.objects.filter(user_id=user, scheduled_date=old_day))
    recorded = {
        f.plan_item_id: f.completed for f in UserTaskFeedback.objects.filter(plan_item__in=items)
    }
    done = {item.id: not recorded.get(item.id, False) for item in items}
    now = datetime.combine(end, time(12), tzinfo=UTC)
    record_outcomes(user, [Outcome(i.id, done[i.id]) for i in items], now=now)
    after = _lifetime(user)
    assert totals_check.check_totals(users) == []
    assert after == _from_scratch(users, end)[user]


def test_the_check_command_finds_and_repairs_a_drift(task_library, capsys):
    users = _random_history(4, users=2)
    relearn_users(users, START + timedelta(days=DAYS))
    UserOutcomeTotals.objects.filter(user_id=users[0]).update(
        completed=0, streak_run=0, longest_streak=0
    )
    UserTaskFirst.objects.filter(user_id=users[1]).delete()

    with pytest.raises(CommandError, match="2 users"):
        call_command("outcome_totals")
    assert "completed" in capsys.readouterr().out
    call_command("outcome_totals", "--repair")
    assert totals_check.check_totals(users) == []
    call_command("outcome_totals")  # clean now: exits normally


def test_relearning_reads_a_bounded_window(task_library, django_assert_num_queries):
    """Once folded, a relearn is one statement, and it reads only live days."""
    users = _random_history(5, users=1)
    end = START + timedelta(days=DAYS)
    outcome_history(users[0], end)  # folds
    with django_assert_num_queries(1):
        history = outcome_history(users[0], end)
    assert min(history.completed_days) >= totals.live_since(end)
    assert all(g.count > 0 for g in history.evidence_groups)


def test_the_summary_of_a_recent_week_reads_only_live_days(task_library):
    users = _random_history(6, users=1)
    user = users[0]
    end = START + timedelta(days=DAYS)
    relearn_users(users, end)
    profile = UserPreferenceProfile.objects.get(user_id=user)
    week_start = end - timedelta(days=end.weekday() + 7)  # last week's Monday
    week_end = week_start + timedelta(days=6)

    bounded = week_completions(user, week_start, week_end, end)
    assert bounded is not None
    assert bounded == _week_completions_from_everything(user, week_start, week_end, end)
    summary = weekly_summary(profile, week_start, end)
    assert (summary.current_streak, summary.longest_streak) == bounded[:2]
    assert summary.new_tasks_tried == bounded[2]
    # A week reaching into folded days reads everything instead.
    assert week_completions(user, START, START + timedelta(days=6), end) is None
