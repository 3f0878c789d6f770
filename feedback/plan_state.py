"""The feedback side of the plan API: what is recorded on a plan's items.

`routines.intent.PlanFeedback` is the port routines asks through (routines never import
feedback); `PLAN_FEEDBACK` is the implementation holisticos/urls.py wires into the plan
views. Both reads go by (user_id, plan_item_id), the feedback table's unique index, over
the item ids of the plans at hand: bounded by the plans asked for, never by history.
"""

import uuid
from collections.abc import Sequence

from routines.intent import RecordedOutcome
from routines.models import PlanItem

from .models import UserTaskFeedback


class RecordedFeedback:
    def has_feedback(self, user_id: uuid.UUID, item_ids: Sequence[uuid.UUID]) -> bool:
        if not item_ids:
            return False
        return UserTaskFeedback.objects.filter(user_id=user_id, plan_item_id__in=item_ids).exists()

    def outcomes(
        self, user_id: uuid.UUID, item_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, RecordedOutcome]:
        """Each answered item's recorded outcome, in one statement; unanswered items absent."""
        if not item_ids:
            return {}
        rows = UserTaskFeedback.objects.filter(
            user_id=user_id, plan_item_id__in=item_ids
        ).values_list(
            "plan_item_id", "completed", "completed_at", "satisfaction_rating", "skip_reason"
        )
        return {
            item_id: RecordedOutcome(completed, completed_at, rating, skip_reason or None)
            for item_id, completed, completed_at, rating, skip_reason in rows
        }


PLAN_FEEDBACK = RecordedFeedback()


def plan_item_owner(plan_item_id: uuid.UUID) -> uuid.UUID | None:
    """Whose plan item this is (None: no such item); one primary-key read."""
    return PlanItem.objects.filter(id=plan_item_id).values_list("user_id", flat=True).first()
