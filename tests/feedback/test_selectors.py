"""The hand-written reads on the feedback path (outcomes: test_outcomes.py)."""

import uuid
from datetime import timedelta

import pytest

from feedback.selectors import feedback_targets
from tests.factories import FeedbackFactory, PlanItemFactory

pytestmark = pytest.mark.django_db


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
