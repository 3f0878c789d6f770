"""Writing profiles: what users tell us directly, and what relearning hands over.

The profile layer never reads feedback: the feedback app aggregates outcomes and passes
the plain result (`learning.OutcomeHistory`) to `apply_learning`.
"""

import dataclasses
import uuid
from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import sql_rows

from . import learning
from .models import UserPreferenceProfile


class ProfileNotFound(Exception):
    """No profile yet, and not enough given to create one."""


_LOCK_PROFILE_SQL = (
    "SELECT user_id, timezone, learning_phase FROM user_preference_profile WHERE user_id = %s"
)
_LOCKED_PROFILE_FIELDS = ["user_id", "timezone", "learning_phase"]


def lock_profile(user_id: uuid.UUID) -> UserPreferenceProfile | None:
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


def lock_profiles(user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Lock these users' profiles for this transaction; the ids whose profile still exists.

    Writers of a user's data that run from a list read earlier (the nightly batch) take it
    before writing: erasing a user deletes under the same lock (privacy.services), so a
    user erased since the list was read has no profile here and must get nothing written.
    """
    if not user_ids:
        return set()
    rows = UserPreferenceProfile.objects.select_for_update().filter(user_id__in=user_ids)
    return set(rows.order_by("user_id").values_list("user_id", flat=True))


def create_profile(
    user_id: uuid.UUID, archetype: str, now: datetime
) -> tuple[UserPreferenceProfile, bool]:
    """Create the profile on first use; (profile, whether another call created it first)."""
    try:
        with transaction.atomic():
            profile = UserPreferenceProfile.objects.create(
                user_id=user_id, archetype=archetype, discovery_start_date=now.date()
            )
            return profile, False
    except IntegrityError:
        return UserPreferenceProfile.objects.select_for_update().get(user_id=user_id), True


# What relearning writes: everything `learning.learn` returns, plus the counts below.
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


def apply_learning(
    profile: UserPreferenceProfile,
    history: learning.OutcomeHistory,
    today: date,
    now: datetime | None = None,
) -> None:
    """Write what `history` teaches into the profile: one UPDATE of the learned fields."""
    learn_into(profile, history, today, now)
    sql_rows.update(profile, LEARNED_FIELDS)


def learn_into(
    profile: UserPreferenceProfile,
    history: learning.OutcomeHistory,
    today: date,
    now: datetime | None = None,
) -> None:
    """Set the learned fields on the instance (the caller writes them: one row or a batch)."""
    learned = learning.learn(
        history.groups,
        history.unique_recent_tasks,
        history.evidence_groups,
        history.active_days_recent,
    )
    for name in _LEARNED:
        setattr(profile, name, getattr(learned, name))
    profile.total_tasks_scheduled = history.seen
    profile.total_tasks_completed = history.completed
    profile.unique_tasks_tried = history.unique_tasks
    profile.current_streak, profile.longest_streak = learning.streaks(
        history.completed_days, today, history.streak_before
    )
    profile.learning_phase = learning.next_phase(
        profile.learning_phase, history.seen, history.active_days, learned.profile_confidence
    )
    profile.last_analyzed_at = now or timezone.now()


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
