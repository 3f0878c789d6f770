"""Recording feedback and keeping each user's preference profile current."""

import dataclasses
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import metrics, sql_rows
from routines.models import PlanItem

from . import evaluation, learning, offpolicy
from .models import PolicyEstimate, UserPreferenceProfile, UserTaskFeedback
from .selectors import feedback_targets, outcome_history

FUTURE_TOLERANCE = timedelta(days=1)


class PlanItemNotFound(Exception):
    """No such plan item for this user (another user's item is reported the same way)."""


class ProfileNotFound(Exception):
    """No profile yet, and not enough given to create one."""


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


def user_zone(profile: UserPreferenceProfile | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(profile.timezone if profile else "UTC")


def local_today(profile: UserPreferenceProfile | None, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(user_zone(profile)).date()


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
        profile = _locked_profile(user_id)
        targets = feedback_targets(user_id, item_ids)
        missing = [item_id for item_id in item_ids if item_id not in targets]
        if missing:
            raise PlanItemNotFound(missing[0])
        if profile is None:
            profile, raced = _create_profile(user_id, targets[item_ids[0]].archetype, now)
            if raced:  # another call created it and may have recorded these items since
                targets = feedback_targets(user_id, item_ids)
        zone = user_zone(profile)
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
                    row = UserTaskFeedback(
                        user_id=user_id,
                        plan_item=item,
                        task_library_id=item.task_library_id,
                        scheduled_date=item.scheduled_date,
                        scheduled_time=item.scheduled_time,
                        category=item.category,
                        time_of_day=item.time_of_day,
                        mode_at_time=target.readiness_mode,
                    )
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
        recompute_profile(profile, now)
    metrics.task_feedback_recorded.inc(len(outcomes))
    return Recorded(True, rows, created, profile)


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

    row.completed = outcome.completed
    row.skipped = not outcome.completed
    if outcome.completed:
        row.skip_reason = ""
        row.completed_at = completed_at or row.completed_at or now
        row.completed_early_minutes = int((scheduled - row.completed_at).total_seconds() // 60)
    else:
        # Un-completing a task drops its completion time: it cannot be both.
        row.completed_at = None
        row.completed_early_minutes = None
        if outcome.skip_reason is not None:
            row.skip_reason = outcome.skip_reason
    if outcome.satisfaction_rating is not None:
        row.satisfaction_rating = outcome.satisfaction_rating
    if outcome.user_notes is not None:
        row.user_notes = outcome.user_notes


_LOCK_PROFILE_SQL = (
    "SELECT user_id, timezone, learning_phase FROM user_preference_profile WHERE user_id = %s"
)
_LOCKED_PROFILE_FIELDS = ["user_id", "timezone", "learning_phase"]


def _locked_profile(user_id: uuid.UUID) -> UserPreferenceProfile | None:
    """The user's profile, locked for this transaction; only what relearning reads.

    The lock serialises one user's feedback calls (concurrent calls for different users
    do not wait for each other). The learned fields are left deferred: they are rewritten.
    """
    sql = _LOCK_PROFILE_SQL + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, [sql_rows.param(UserPreferenceProfile, "user_id", user_id)])
        row = cursor.fetchone()
    if row is None:
        return None
    return sql_rows.instance(UserPreferenceProfile, _LOCKED_PROFILE_FIELDS, row)


def _create_profile(
    user_id: uuid.UUID, archetype: str, now: datetime
) -> tuple[UserPreferenceProfile, bool]:
    """Create the profile on first feedback; (profile, whether another call created it)."""
    try:
        with transaction.atomic():
            profile = UserPreferenceProfile.objects.create(
                user_id=user_id, archetype=archetype, discovery_start_date=now.date()
            )
            return profile, False
    except IntegrityError:
        return UserPreferenceProfile.objects.select_for_update().get(user_id=user_id), True


# What a recomputation writes: everything `learning.learn` returns, plus the counts below.
_LEARNED = [field.name for field in dataclasses.fields(learning.LearnedProfile)]
LEARNED_FIELDS = [
    *_LEARNED,
    "total_tasks_scheduled",
    "total_tasks_completed",
    "unique_tasks_tried",
    "current_streak",
    "longest_streak",
    "learning_phase",
    "last_analyzed_at",
    "updated_at",
]


def recompute_profile(profile: UserPreferenceProfile, now: datetime | None = None) -> None:
    """Relearn the profile from all its feedback: one aggregate read, one update.

    Always from scratch, never incrementally: an edited task (new subcategory), a skip
    turned into a completion and a day sliding out of the window all come out right.
    """
    now = now or timezone.now()
    today = local_today(profile, now)
    history = outcome_history(
        profile.user_id,
        since=today - timedelta(days=learning.WINDOW_DAYS - 1),
        evidence_since=today - timedelta(days=learning.EVIDENCE_DAYS - 1),
    )
    learned = learning.learn(history.groups, history.unique_recent_tasks, history.evidence_groups)
    for name in _LEARNED:
        setattr(profile, name, getattr(learned, name))
    profile.total_tasks_scheduled = history.seen
    profile.total_tasks_completed = history.completed
    profile.unique_tasks_tried = history.unique_tasks
    profile.current_streak, profile.longest_streak = learning.streaks(history.completed_days, today)
    profile.learning_phase = learning.next_phase(
        profile.learning_phase, history.seen, history.active_days, learned.profile_confidence
    )
    profile.last_analyzed_at = now
    sql_rows.update(profile, LEARNED_FIELDS)


def update_profile(
    user_id: uuid.UUID,
    archetype: str | None = None,
    current_mode: str | None = None,
    timezone_name: str | None = None,
) -> tuple[UserPreferenceProfile, bool]:
    """Set what the user tells us directly; creates the profile (archetype required)."""
    with transaction.atomic():
        profile = UserPreferenceProfile.objects.select_for_update().filter(user_id=user_id).first()
        created = profile is None
        if created:
            if not archetype:
                raise ProfileNotFound(user_id)
            profile = UserPreferenceProfile(
                user_id=user_id, discovery_start_date=timezone.localdate()
            )
        if archetype:
            profile.archetype = archetype
        if current_mode:
            profile.current_mode = current_mode
        if timezone_name:
            profile.timezone = timezone_name
        try:
            with transaction.atomic():
                profile.save(force_insert=created)
        except IntegrityError:
            # Created by a concurrent request a moment ago: apply the change to that one.
            return update_profile(user_id, archetype, current_mode, timezone_name)
    return profile, created


def evaluate_policy(
    candidate: str,
    since: date,
    until: date,
    bootstrap: int = 400,
    seed: int = 0,
    user_ids: list[uuid.UUID] | None = None,
    save: bool = True,
) -> tuple[offpolicy.Evaluation, str]:
    """Score a candidate policy on the plans logged between two dates; keep the result."""
    events, logging_policies = evaluation.logged_events(candidate, since, until, user_ids)
    result = offpolicy.evaluate(events, bootstrap=bootstrap, seed=seed)
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
