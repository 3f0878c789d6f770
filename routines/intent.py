"""A plan request's intent: the mode and archetype the app asks for win over a stored plan.

The app's `mode` is the user's readiness for that day, and its `archetype` who they are
now; both update the profile, so the nightly run plans tomorrow the same way. A stored
plan that disagrees (planned the night before with yesterday's mode, say) is replanned,
but only while nothing on it has feedback: once the user has ticked or skipped a task the
plan is theirs, and the answer says the change could not be applied. A static plan stored
because dynamic generation failed is retried the same way.

Routines never read feedback (docs/architecture.md): whether a plan has any is asked
through `PlanFeedback`, which the caller above (holisticos/urls.py wires feedback's
implementation into the plan views) provides.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from library.choices import Mode
from profiles.models import UserPreferenceProfile
from profiles.selectors import get_profile, local_today
from profiles.services import update_profile

from .models import Plan, PlanItem, PlanType
from .selectors import StoredPlan, get_stored_plan
from .services import generate_plan

# Why a stored plan's static day is not worth retrying: dynamic plans are switched off.
_DELIBERATE_FALLBACKS = {"disabled"}


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """What the user recorded for one plan item (the feedback row's answer fields)."""

    completed: bool
    completed_at: datetime | None
    satisfaction_rating: int | None
    skip_reason: str | None


class PlanFeedback(Protocol):
    """What the plan API needs to know about feedback, implemented in feedback/."""

    def has_feedback(self, user_id: uuid.UUID, items: Sequence[PlanItem]) -> bool: ...

    def outcomes(
        self, user_id: uuid.UUID, items: Sequence[PlanItem]
    ) -> dict[uuid.UUID, RecordedOutcome]: ...


class NoFeedback:
    """Without a feedback app every plan is unanswered (used when nothing is wired)."""

    def has_feedback(self, user_id: uuid.UUID, items: Sequence[PlanItem]) -> bool:
        return False

    def outcomes(self, user_id, items) -> dict[uuid.UUID, RecordedOutcome]:
        return {}


@dataclass(frozen=True, slots=True)
class ChangeNotApplied:
    """The request asked for another plan, but the stored one already has feedback."""

    reason: str
    requested_mode: str | None
    requested_archetype: str
    message: str


@dataclass(frozen=True, slots=True)
class PlanAnswer:
    stored: StoredPlan
    change_not_applied: ChangeNotApplied | None = None


def replan_reasons(
    plan: Plan, archetype: str, mode: str | None, dynamic_enabled: bool
) -> list[str]:
    """Why a stored plan does not answer this request (pure; empty: serve it as it is)."""
    reasons = []
    if mode is not None and plan.readiness_mode != mode:
        reasons.append("mode")
    if plan.archetype != archetype:
        reasons.append("archetype")
    if (
        dynamic_enabled
        and plan.plan_type == PlanType.STATIC
        and plan.fallback_reason not in _DELIBERATE_FALLBACKS
    ):
        reasons.append("fallback")
    return reasons


def remember_intent(user_id: uuid.UUID, archetype: str, mode: str | None) -> UserPreferenceProfile:
    """The profile with this request's archetype and mode; created on the first plan.

    One read when nothing changed (the common call), a locked write otherwise.
    """
    profile = get_profile(user_id)
    if profile is None:
        return update_profile(user_id, archetype=archetype, current_mode=mode)[0]
    if profile.archetype == archetype and mode in (None, profile.current_mode):
        return profile
    profile, _ = update_profile(user_id, archetype=archetype, current_mode=mode)
    return profile


def plan_for_request(
    user_id: uuid.UUID,
    archetype: str,
    day: date | None,
    mode: str | None,
    preferences: dict | None,
    regenerate: bool,
    feedback: PlanFeedback,
    now: datetime | None = None,
) -> PlanAnswer:
    """The API's plan: the request's intent applied where the stored plan allows it."""
    profile = remember_intent(user_id, archetype, mode)
    day = day or local_today(profile, now or timezone.now())
    if not regenerate:
        stored = get_stored_plan(user_id, day)
        if stored is not None:
            reasons = replan_reasons(stored.plan, archetype, mode, settings.ENABLE_DYNAMIC_PLANS)
            if not reasons:
                return PlanAnswer(stored)
            if feedback.has_feedback(user_id, stored.items):
                return PlanAnswer(stored, _not_applied(reasons, archetype, mode))
            regenerate = True
    stored = generate_plan(
        user_id,
        archetype,
        day,
        mode=mode or profile.current_mode or Mode.MEDIUM,
        preferences=preferences,
        regenerate=regenerate,
    )
    return PlanAnswer(stored)


def _not_applied(reasons: list[str], archetype: str, mode: str | None) -> ChangeNotApplied | None:
    asked = [r for r in reasons if r != "fallback"]
    if not asked:  # only a retry of the static day was due: nothing the app asked for
        return None
    return ChangeNotApplied(
        reason="plan_has_feedback",
        requested_mode=mode,
        requested_archetype=archetype,
        message=(
            f"The stored plan keeps its {' and '.join(asked)}: feedback is already "
            "recorded on it. Undo that feedback (DELETE /api/v1/feedback/task/{id}) or "
            "send regenerate: true to replace the plan."
        ),
    )
