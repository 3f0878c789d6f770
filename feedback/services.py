"""Recording feedback and keeping each user's preference profile current."""

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import metrics, sql_rows
from profiles.models import UserPreferenceProfile
from profiles.selectors import local_today, user_zone
from profiles.services import (
    LEARNED_FIELDS,
    apply_learning,
    create_profile,
    learn_into,
    lock_profile,
)
from routines.models import PlanItem

from . import evaluation, evaluation_shards, offpolicy, totals
from .history import outcome_histories, outcome_history
from .models import PolicyEstimate, UserTaskFeedback
from .selectors import feedback_targets

FUTURE_TOLERANCE = timedelta(days=1)
# Items younger than this cannot be on folded days (feedback/totals.py keeps 30 days live),
# so the common call never reads the totals row to find out.
LATE_AFTER = timedelta(days=7)


# A swapped-out task (feedback/swaps.py) keeps its outcome "swapped": it takes no other.
SWAPPED_ITEM = (
    "This task was swapped for another: it is no longer in the plan, and its swap stays "
    "recorded. Send feedback for the task that replaced it."
)


class PlanItemNotFound(Exception):
    """No such plan item for this user (another user's item is reported the same way)."""


class FeedbackRejected(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Outcome:
    """One feedback call's payload. None means "not sent": the recorded value stays."""

    plan_item_id: uuid.UUID
    completed: bool
    completed_at: datetime | None = None
    satisfaction_rating: int | None = None
    skip_reason: str | None = None
    user_notes: str | None = None


@dataclass(frozen=True, slots=True)
class Recorded:
    recorded: bool
    feedback: list[UserTaskFeedback]
    created: list[bool]
    profile: UserPreferenceProfile | None

    @property
    def row(self) -> UserTaskFeedback | None:
        """The first outcome's row: what the single-item API call answers with."""
        return self.feedback[0] if self.feedback else None

    @property
    def row_created(self) -> bool:
        return bool(self.created) and self.created[0]


def record_feedback(
    user_id: uuid.UUID,
    plan_item_id: uuid.UUID,
    completed: bool,
    completed_at: datetime | None = None,
    satisfaction_rating: int | None = None,
    skip_reason: str | None = None,
    user_notes: str | None = None,
) -> Recorded:
    """The spec's record_task_feedback: upsert one outcome and relearn the profile."""
    outcome = Outcome(
        plan_item_id, completed, completed_at, satisfaction_rating, skip_reason, user_notes
    )
    return record_outcomes(user_id, [outcome])


def record_outcomes(
    user_id: uuid.UUID, outcomes: Sequence[Outcome], now: datetime | None = None
) -> Recorded:
    """Upsert outcomes for one user's plan items, then recompute the profile once.

    One row per (user, plan item): a later call fills in what it sends and keeps what it
    leaves out, so the client's second call (the star rating) does not erase completed_at.
    Everything happens in one transaction under a lock on the user's profile, so
    concurrent calls for one user apply one after another and nothing is half-written.
    """
    if not settings.FEEDBACK_COLLECTION_ENABLED:
        return Recorded(False, [], [], None)
    now = now or timezone.now()
    item_ids = [o.plan_item_id for o in outcomes]
    with transaction.atomic():
        profile = lock_profile(user_id)
        targets = feedback_targets(user_id, item_ids)
        missing = [item_id for item_id in item_ids if item_id not in targets]
        if missing:
            raise PlanItemNotFound(missing[0])
        if any(target.item.replaced_by is not None for target in targets.values()):
            raise FeedbackRejected("plan_item_id", SWAPPED_ITEM)
        if profile is None:
            profile, raced = create_profile(user_id, targets[item_ids[0]].archetype, now)
            if raced:  # another call created it and may have recorded these items since
                targets = feedback_targets(user_id, item_ids)
        zone = user_zone(profile)
        days = [target.item.scheduled_date for target in targets.values()]
        with _recounting_folded(user_id, days, profile, now):
            rows, created = _merge(user_id, outcomes, targets, zone, now)
        recompute_profile(profile, now)
    metrics.task_feedback_recorded.inc(len(outcomes))
    return Recorded(True, rows, created, profile)


def remove_feedback(
    user_id: uuid.UUID, plan_item_id: uuid.UUID, now: datetime | None = None
) -> bool:
    """Undo: delete what is recorded on one plan item and relearn; False if nothing was.

    The same transaction, profile lock and late-edit path as recording, so the lifetime
    totals of a folded day lose the outcome too.
    """
    now = now or timezone.now()
    with transaction.atomic():
        profile = lock_profile(user_id)
        target = feedback_targets(user_id, [plan_item_id]).get(plan_item_id)
        if target is None:
            raise PlanItemNotFound(plan_item_id)
        if target.item.replaced_by is not None:
            raise FeedbackRejected("plan_item_id", SWAPPED_ITEM)
        if target.feedback is None or profile is None:
            return False
        with _recounting_folded(user_id, [target.item.scheduled_date], profile, now):
            UserTaskFeedback.objects.filter(pk=target.feedback.pk).delete()
        recompute_profile(profile, now)
    return True


@contextmanager
def _recounting_folded(
    user_id: uuid.UUID, days: list[date], profile: UserPreferenceProfile, now: datetime
) -> Iterator[None]:
    """Around a change to these days' feedback: re-count any already folded into the
    lifetime totals (weeks old; feedback/totals.py). Items younger than LATE_AFTER cannot
    be folded, so the common call reads nothing extra."""
    late = totals.folded_days(user_id, days, local_today(profile, now) - LATE_AFTER)
    before = totals.before_change(user_id, late) if late else None
    yield
    if late:
        totals.recount(user_id, late, before)


def feedback_row_for(item: PlanItem, readiness_mode: str, **outcome) -> UserTaskFeedback:
    """A new feedback row on `item`, with the copies of the item it keeps (date, time,
    category, task) so it outlives a replan that deletes the item."""
    return UserTaskFeedback(
        user_id=item.user_id,
        plan_item=item,
        task_library_id=item.task_library_id,
        scheduled_date=item.scheduled_date,
        scheduled_time=item.scheduled_time,
        category=item.category,
        time_of_day=item.time_of_day,
        mode_at_time=readiness_mode,
        **outcome,
    )


def _merge(user_id, outcomes, targets, zone, now) -> tuple[list, list[bool]]:
    """Merge each outcome into its row and write them: inserts, then one UPDATE a row."""
    merged: dict[uuid.UUID, UserTaskFeedback] = {}
    to_create, to_update, rows, created = [], [], [], []
    for outcome in outcomes:
        target = targets[outcome.plan_item_id]
        item = target.item
        row = merged.get(item.id)
        is_new = False
        if row is None:
            row = target.feedback
            if row is None:
                is_new = True
                row = feedback_row_for(item, target.readiness_mode)
                to_create.append(row)
            else:
                to_update.append(row)
            merged[item.id] = row
        _apply(row, outcome, item, zone, now)
        rows.append(row)
        created.append(is_new)
    sql_rows.insert(to_create)
    # One prepared UPDATE per row (it stamps updated_at, which bulk_update would not);
    # a call updates at most one day's items, and the API sends one.
    for row in to_update:
        sql_rows.update(row, [*_MERGED_FIELDS, "updated_at"])
    return rows, created


_MERGED_FIELDS = [
    "completed",
    "skipped",
    "completed_at",
    "completed_early_minutes",
    "satisfaction_rating",
    "skip_reason",
    "user_notes",
]


def _apply(row: UserTaskFeedback, outcome: Outcome, item: PlanItem, zone, now: datetime) -> None:
    """Merge one call into the row; raises FeedbackRejected before anything is written."""
    scheduled = datetime.combine(item.scheduled_date, item.scheduled_time, tzinfo=zone)
    completed_at = outcome.completed_at
    if completed_at is not None:
        if timezone.is_naive(completed_at):
            # The Dart client sends local time without an offset: the user's own clock.
            completed_at = completed_at.replace(tzinfo=zone)
        if completed_at > now + FUTURE_TOLERANCE:
            raise FeedbackRejected("completed_at", "completed_at is more than a day in the future.")
        if completed_at < scheduled - timedelta(days=1):
            raise FeedbackRejected(
                "completed_at", "completed_at is more than a day before the task was scheduled."
            )
        if not outcome.completed:
            raise FeedbackRejected("completed_at", "completed_at is only for completed tasks.")
    if outcome.skip_reason and outcome.completed:
        raise FeedbackRejected("skip_reason", "skip_reason is only for tasks not completed.")
    if outcome.satisfaction_rating is not None and not outcome.completed:
        raise FeedbackRejected(
            "satisfaction_rating", "satisfaction_rating is only for completed tasks."
        )
    if (
        outcome.completed
        and completed_at is None
        and (row.completed_at or now) < (scheduled - timedelta(days=1))
    ):
        # Without completed_at the completion is stamped now: the one-day rule still holds.
        raise FeedbackRejected(
            "completed", "The task is scheduled more than a day ahead; it cannot be done yet."
        )

    row.completed = outcome.completed
    row.skipped = not outcome.completed
    if outcome.completed:
        row.skip_reason = ""
        row.completed_at = completed_at or row.completed_at or now
        row.completed_early_minutes = int((scheduled - row.completed_at).total_seconds() // 60)
    else:
        # Un-completing a task drops its completion time and rating: a skip has neither.
        row.completed_at = None
        row.completed_early_minutes = None
        row.satisfaction_rating = None
        if outcome.skip_reason is not None:
            row.skip_reason = outcome.skip_reason
    if outcome.satisfaction_rating is not None:
        row.satisfaction_rating = outcome.satisfaction_rating
    if outcome.user_notes is not None:
        row.user_notes = outcome.user_notes


def recompute_profile(profile: UserPreferenceProfile, now: datetime | None = None) -> None:
    """Relearn the profile: one bounded aggregate read, one update.

    The windows are relearned from scratch, never incrementally: an edited task (new
    subcategory), a skip turned into a completion and a day sliding out of the window all
    come out right. Lifetime totals add the live days to the folded ones (totals.py).
    """
    now = now or timezone.now()
    today = local_today(profile, now)
    apply_learning(profile, outcome_history(profile.user_id, today), today, now)


def relearn_users(user_ids: Sequence[uuid.UUID], day: date, now: datetime | None = None) -> int:
    """Relearn these users' profiles as of `day`, closing the days before it.

    The nightly run calls this for each batch before planning `day`, so yesterday's
    silence is counted even for a user who sent nothing today. Three statements a batch
    at any size: lock the profiles, read every user's outcomes, write the profiles.
    Returns how many profiles were relearned.
    """
    now = now or timezone.now()
    with transaction.atomic():
        profiles = list(
            UserPreferenceProfile.objects.select_for_update().filter(user_id__in=user_ids)
        )
        histories = outcome_histories([p.user_id for p in profiles], day)
        for profile in profiles:
            learn_into(profile, histories[profile.user_id], day, now)
        sql_rows.update_many(profiles, LEARNED_FIELDS)
    return len(profiles)


def evaluate_policy(
    candidate: str,
    since: date,
    until: date,
    bootstrap: int = 400,
    seed: int = 0,
    user_ids: list[uuid.UUID] | None = None,
    save: bool = True,
    workers: int = 1,
) -> tuple[offpolicy.Evaluation, str]:
    """Score a candidate policy on the plans logged between two dates; keep the result.

    The logs stream through in chunks of users (memory bounded by the users' totals, not
    the events), in `workers` processes (feedback/evaluation_shards.py).
    """
    if candidate not in evaluation.CANDIDATE_POLICIES:
        raise ValueError(f"candidate policy must be one of {evaluation.CANDIDATE_POLICIES}")
    totals, logging_policies = evaluation_shards.evaluate_totals(
        candidate, since, until, user_ids, workers
    )
    result = totals.evaluate(bootstrap=bootstrap, seed=seed)
    logged_by = ", ".join(sorted(logging_policies)) or "-"
    if save:
        PolicyEstimate.objects.create(
            candidate_policy=evaluation.POLICY_NAMES[candidate],
            logging_policies=logged_by,
            since=since,
            until=until,
            events=result.events,
            users=result.users,
            logged_rate=result.logged_rate,
            effective_sample_size=result.effective_sample_size,
            supported=result.supported,
            problems="\n".join(result.problems),
            estimates={
                e.estimator: {"value": e.value, "low": e.low, "high": e.high}
                for e in result.estimates
                if e.value == e.value  # leave out NaN (no estimate)
            },
        )
    return result, logged_by
