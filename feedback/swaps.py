"""Swapping a task ("Not this one"): replace it in the plan and learn from the refusal.

One transaction, in the order every writer of a user's rows takes its locks (erasure
first takes the same profile lock): the profile, then the plan row. Under the plan lock
the item is checked (limits, recorded feedback), its replacement drawn by the user's
policy (`routines.swaps`), the plan rewritten, the swap recorded as the item's outcome (a
feedback row with `swapped`, the outcome model's "swapped") and the profile relearned.

Idempotent per item: the item's id names the swap. A request for an item already swapped
(a retry after a timeout, or two taps racing: the second waits on the plan lock) changes
nothing and answers the same plan with the same replacement. Swapping the replacement
is a new swap of the same slot, counted against SWAPS_PER_ITEM.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import metrics, sql_rows
from library.candidates import Candidate
from profiles.selectors import get_profile, local_today
from profiles.services import create_profile, lock_profile
from routines.drafting import ScorerFactory
from routines.models import PlanItem
from routines.selectors import StoredPlan
from routines.swaps import (
    draft_swap,
    latest_of,
    lock_plan,
    replace_item,
    swaps_of_slot,
    swaps_today,
)

from .models import UserTaskFeedback
from .services import feedback_row_for, recompute_profile


class SwapRefused(Exception):
    """The swap cannot be made; nothing was written. `status` is the HTTP status."""

    def __init__(self, status: int, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message


@dataclass(frozen=True, slots=True)
class SwapResult:
    stored: StoredPlan  # the plan as it now stands
    swapped: PlanItem  # the item the request named
    replacement: PlanItem  # the task now in its slot
    replayed: bool  # True: the item was already swapped; nothing changed


def swap_task(
    user_id: uuid.UUID,
    day: date,
    plan_item_id: uuid.UUID,
    now: datetime | None = None,
    *,
    candidates: Sequence[Candidate] | None = None,
    scorer_factory: ScorerFactory | None = None,
) -> SwapResult:
    """Swap one task of the user's plan for `day`; raises SwapRefused, writing nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        profile = lock_profile(user_id)
        stored = lock_plan(user_id, day)
        if stored is None:
            raise SwapRefused(404, "not_found", "date", "No plan for this user and date.")
        if day < local_today(profile, now):
            # A conflict with the clock, not malformed input: the same request was fine
            # yesterday (and a schema cannot state the user's own today).
            raise SwapRefused(
                409,
                "day_over",
                "date",
                "This day is over: only today's plan or a later one can be swapped.",
            )
        item = next((i for i in stored.items if i.id == plan_item_id), None)
        if item is None:
            raise SwapRefused(
                404, "not_found", "plan_item_id", "No such task in this user's plan for this date."
            )
        if item.replaced_by is not None:
            return SwapResult(stored, item, latest_of(stored, item), replayed=True)
        _check(stored, item)
        if profile is None:  # plans create profiles; an older plan may predate that
            profile, _ = create_profile(user_id, stored.plan.archetype, now)
        # The locked row holds only what relearning needs; the policy reads the learned
        # fields (one read, not one per deferred field).
        learned = get_profile(user_id)
        draft = draft_swap(stored, item, learned, candidates, scorer_factory)
        if draft.replacement is None:
            raise SwapRefused(
                409,
                "no_other_task",
                "plan_item_id",
                "No other task fits this slot today (its category, part of the day and the "
                "time until the next task); the plan is unchanged.",
            )
        stored, new = replace_item(stored, item, draft, now)
        _record_swap(item, stored.plan.readiness_mode)
        recompute_profile(profile, now)
    metrics.task_feedback_recorded.inc()
    return SwapResult(stored, item, new, replayed=False)


def _check(stored: StoredPlan, item: PlanItem) -> None:
    """The limits that keep a plan a plan, and what cannot be swapped at all."""
    if not item.is_dynamic or item.task_library_id is None:
        raise SwapRefused(
            409,
            "not_swappable",
            "plan_item_id",
            "Only tasks from the task library can be swapped; this plan is the static day.",
        )
    answered = (
        UserTaskFeedback.objects.filter(
            user_id=item.user_id, scheduled_date=item.scheduled_date, plan_item_id=item.id
        )
        .order_by()
        .values_list("completed", flat=True)
        .first()
    )
    if answered is not None:
        what = "completed" if answered else "skipped"
        undo = "" if answered else " Undo the skip first to swap it."
        raise SwapRefused(
            409, f"already_{what}", "plan_item_id", f"This task is already {what}.{undo}"
        )
    per_item, per_day = settings.SWAPS_PER_ITEM, settings.SWAPS_PER_DAY
    if swaps_of_slot(stored, item) >= per_item:
        raise SwapRefused(
            409,
            "swap_limit_item",
            "plan_item_id",
            f"This slot was already swapped {per_item} times; keep this task or skip it.",
        )
    if swaps_today(stored) >= per_day:
        raise SwapRefused(
            409,
            "swap_limit_day",
            "plan_item_id",
            f"{per_day} tasks were already swapped in this plan, the most a day allows.",
        )


def _record_swap(item: PlanItem, readiness_mode: str) -> None:
    """The swapped item's outcome: a skip marked `swapped`, copied like any feedback."""
    sql_rows.insert(
        [feedback_row_for(item, readiness_mode, completed=False, skipped=True, swapped=True)]
    )
