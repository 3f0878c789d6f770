"""The feedback side of the plan API: what is recorded on a plan's items.

`routines.intent.PlanFeedback` is the port routines asks through (routines never import
feedback); `PLAN_FEEDBACK` is the implementation holisticos/urls.py wires into the plan
views. Both reads are bounded by the plans at hand, never by the user's history: the items'
own dates bound the feedback read to those days (the (user_id, scheduled_date) index;
feedback copies its item's date), and the ids pick the rows (checked with EXPLAIN on
PostgreSQL: without the dates the planner read every feedback row of the user).
"""

import uuid
from collections.abc import Sequence

from routines.intent import RecordedOutcome
from routines.models import PlanItem

from .models import UserTaskFeedback


class RecordedFeedback:
    def has_feedback(self, user_id: uuid.UUID, items: Sequence[PlanItem]) -> bool:
        return bool(items) and _answered(user_id, items).exists()

    def outcomes(
        self, user_id: uuid.UUID, items: Sequence[PlanItem]
    ) -> dict[uuid.UUID, RecordedOutcome]:
        """Each answered item's recorded outcome, in one statement; unanswered items absent."""
        if not items:
            return {}
        rows = _answered(user_id, items).values_list(
            "plan_item_id", "completed", "completed_at", "satisfaction_rating", "skip_reason"
        )
        return {
            item_id: RecordedOutcome(completed, completed_at, rating, skip_reason or None)
            for item_id, completed, completed_at, rating, skip_reason in rows
        }


def _answered(user_id: uuid.UUID, items: Sequence[PlanItem]):
    dates = [item.scheduled_date for item in items]
    return UserTaskFeedback.objects.filter(
        user_id=user_id,
        scheduled_date__gte=min(dates),
        scheduled_date__lte=max(dates),
        plan_item_id__in=[item.id for item in items],
    ).order_by()


PLAN_FEEDBACK = RecordedFeedback()


def plan_item_owner(plan_item_id: uuid.UUID) -> uuid.UUID | None:
    """Whose plan item this is (None: no such item); one primary-key read."""
    # Unordered: the model's ordering would join plans to sort one row.
    owners = PlanItem.objects.filter(id=plan_item_id).order_by().values_list("user_id", flat=True)
    return next(iter(owners[:1]), None)
