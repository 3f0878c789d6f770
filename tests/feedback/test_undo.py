"""Undo on a day already folded into the lifetime totals takes the late-edit path that
recording takes (feedback/services._recounting_folded): the totals stay right."""

from datetime import UTC, datetime, time, timedelta

import pytest

from feedback import totals_check
from feedback.models import UserOutcomeTotals, UserTaskFeedback
from feedback.services import relearn_users, remove_feedback
from tests.feedback.test_totals import DAYS, START, _from_scratch, _lifetime, _random_history

pytestmark = pytest.mark.django_db


def test_undo_on_a_folded_day_keeps_the_lifetime_totals_right(task_library):
    users = _random_history(4, users=1)
    user = users[0]
    end = START + timedelta(days=DAYS)
    relearn_users(users, end)
    # The first day with a completion: weeks before the fold's horizon.
    old_day = (
        UserTaskFeedback.objects.filter(user_id=user, completed=True)
        .order_by("scheduled_date")
        .values_list("scheduled_date", flat=True)
        .first()
    )
    assert UserOutcomeTotals.objects.get(user_id=user).folded_through > old_day
    answered = list(UserTaskFeedback.objects.filter(user_id=user, scheduled_date=old_day))
    before = _lifetime(user)
    now = datetime.combine(end, time(12), tzinfo=UTC)
    for row in answered:
        assert remove_feedback(user, row.plan_item_id, now=now) is True
    after = _lifetime(user)
    assert after != before
    assert totals_check.check_totals(users) == []
    assert after == _from_scratch(users, end)[user]


def test_undo_of_an_unanswered_item_writes_nothing(task_library, django_assert_num_queries):
    from routines.services import generate_plan
    from tests.factories import ProfileFactory

    profile = ProfileFactory(archetype="Peak Performer")
    item = generate_plan(profile.user_id, "Peak Performer", START).items[0]
    # savepoint, lock the profile, read item + feedback, release: no write, no relearning
    with django_assert_num_queries(4):
        assert remove_feedback(profile.user_id, item.id) is False
