"""Drafting a day: which tasks, when, and the one decision between dynamic and static.

Reads only; nothing here writes. The single request (services.py) and the nightly batch
(nightly.py) both draft through `draft_plan`, so they fall back for the same reasons.
"""

import logging
import time as clock
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from django.conf import settings

from core import metrics
from library.candidates import Candidate
from library.scoring import AdaptiveScorer, Scorer, StaticScorer
from library.selectors import active_candidates
from profiles.models import UserPreferenceProfile

from . import holdout
from .layout import allowed_difficulties
from .models import PlanType
from .planning import DayRequest, PlannedBlock, plan_day, plan_rng, static_day
from .selectors import recent_task_use
from .shaping import DayShape, shape_day

logger = logging.getLogger(__name__)

DEFAULT_WAKE_TIME = time(6, 0)
STATIC_MODEL = "static_default_v1"

# (archetype, mode, profile or None, library) -> the scorer for one plan.
ScorerFactory = Callable[[str, str, object, Sequence[Candidate]], Scorer]


class PlanningError(Exception):
    """Dynamic generation could not produce a usable plan (the static plan is served)."""


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything needed to draft one user's day.

    `profile` and `last_used` are what a batch read once for many users; `last_used` None
    means "read the user's rotation history now". `candidates` (the library, loaded once)
    and `scorer_factory` (another policy) serve batch runs and the simulation.
    """

    user_id: uuid.UUID
    archetype: str
    day: date
    mode: str
    wake_time: time = DEFAULT_WAKE_TIME
    profile: UserPreferenceProfile | None = None
    last_used: dict[str, date] | None = None
    candidates: Sequence[Candidate] | None = None
    scorer_factory: ScorerFactory | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A planned day before it is stored."""

    blocks: list[PlannedBlock]
    plan_type: str
    model_used: str
    mode: str
    policy: str = ""
    fallback_reason: str = ""
    shape: DayShape | None = None  # the dynamic day's size and category mix, and why
    held_out: bool = False  # the user is in the randomized holdout (routines/holdout.py)

    @property
    def recorded_policy(self) -> str:
        """The plan items' `policy` column: the scorer, marked when held out."""
        return holdout.recorded_policy(self.policy, self.held_out)


def make_scorer(
    archetype: str,
    mode: str,
    profile,
    candidates: Sequence[Candidate] = (),
    policy: str | None = None,
) -> Scorer:
    """The scorer for SCORING_POLICY (or an explicit policy): static baseline or adaptive.

    A user without a profile has nothing learned yet, so the adaptive policy would equal
    the static one; the static scorer is used and logged as such.
    """
    policy = policy or settings.SCORING_POLICY
    if policy == "adaptive" and profile is not None:
        return AdaptiveScorer(
            archetype,
            mode,
            evidence=profile.evidence,
            confidence=profile.profile_confidence,
            lifetime_outcomes=profile.total_tasks_scheduled,
            candidates=candidates,
            daily_capacity=profile.daily_capacity,
        )
    return StaticScorer(archetype, mode)


def day_shape(
    mode: str, scorer: Scorer, last_used: dict[str, date], candidates: Sequence[Candidate]
) -> DayShape:
    """The day's size and category mix: what the policy has learned, if it learns.

    A scorer that learns offers `daily_capacity` and `category_affinity`; the static scorer
    offers neither and gets the mode's full layout, as the spec's planner does.
    """
    affinity = getattr(scorer, "category_affinity", None)
    recent = None
    if last_used:
        category_of = {c.id: c.category for c in candidates}
        recent = {category_of[task] for task in last_used if task in category_of}
    return shape_day(mode, getattr(scorer, "daily_capacity", None), affinity, recent)


def upcoming_shape(profile: UserPreferenceProfile, mode: str | None = None) -> DayShape:
    """The size and category mix of the user's next plans as the profile stands now (what
    the weekly summary promises). The recency rule is left out: it depends on the day."""
    candidates = active_candidates()
    mode = mode or profile.current_mode
    policy = holdout.planning_policy(profile.user_id)
    scorer = make_scorer(profile.archetype, mode, profile, candidates, policy)
    return day_shape(mode, scorer, {}, candidates)


# A kind of task counts as drawn less once the user's outcomes moved its mean this far
# below its prior: smaller shifts are noise the next draws do not follow.
LESS_OFTEN_SHIFT = 0.01


def kinds_drawn_less(
    profile: UserPreferenceProfile, kinds: Iterable[tuple[str, str]], mode: str | None = None
) -> set[tuple[str, str]]:
    """Of these (category, subcategory) kinds, those the planner will now draw less often
    than it would with nothing learned about them (what the weekly summary may promise).

    Only a learning policy changes its draws: the static scorer never does, so with it
    nothing is promised. Reads the cached library (a version check)."""
    candidates = active_candidates()
    mode = mode or profile.current_mode
    scorer = make_scorer(profile.archetype, mode, profile, candidates)
    shift = getattr(scorer, "learned_arm_shift", None)
    if shift is None:
        return set()
    sample = {(c.category, c.subcategory): c for c in candidates}
    return {kind for kind in kinds if kind in sample and shift(sample[kind]) < -LESS_OFTEN_SHIFT}


def draft_dynamic_plan(request: PlanRequest) -> Draft:
    """Choose and schedule the day's tasks from the library; raises when it cannot."""
    candidates = request.candidates
    if candidates is None:
        candidates = active_candidates()
    if not candidates:
        raise PlanningError("the task library has no active tasks")
    last_used = request.last_used
    if last_used is None:
        last_used = recent_task_use(request.user_id, request.day)
    profile = request.profile
    tolerance = profile.complexity_tolerance if profile is not None else 0.5
    day = DayRequest(
        request.day, request.wake_time, request.mode, allowed_difficulties(request.mode, tolerance)
    )
    # A lab's own scorer factory (the simulation's fixed policies) decides alone; otherwise
    # the user's holdout group picks the policy, the same on every path that drafts.
    held_out = request.scorer_factory is None and holdout.in_holdout(request.user_id)
    if request.scorer_factory is not None:
        scorer = request.scorer_factory(request.archetype, request.mode, profile, candidates)
    else:
        policy = holdout.STATIC_POLICY if held_out else None
        scorer = make_scorer(request.archetype, request.mode, profile, candidates, policy)
    shape = day_shape(request.mode, scorer, last_used, candidates)
    started = clock.perf_counter()
    blocks = plan_day(
        day, candidates, last_used, scorer, plan_rng(request.user_id, request.day), shape
    )
    metrics.task_library_selection_seconds.observe(clock.perf_counter() - started)
    if not any(block.tasks for block in blocks):
        raise PlanningError("no task in the library fits this day")
    return Draft(
        blocks,
        PlanType.DYNAMIC,
        f"task_library_{settings.TASK_LIBRARY_VERSION}",
        request.mode,
        policy=scorer.policy,
        shape=shape,
        held_out=held_out,
    )


def draft_static_plan(request: PlanRequest, reason: str) -> Draft:
    return Draft(
        static_day(request.day, request.wake_time),
        PlanType.STATIC,
        STATIC_MODEL,
        request.mode,
        "",
        reason,
    )


def draft_plan(request: PlanRequest) -> Draft:
    """The one fallback decision: the dynamic plan, or the static day and why not."""
    if not settings.ENABLE_DYNAMIC_PLANS:
        return draft_static_plan(request, "disabled")
    try:
        return draft_dynamic_plan(request)
    except Exception as exc:
        return fallback_draft(exc, request)


def fallback_draft(exc: Exception, request: PlanRequest) -> Draft:
    """Log why dynamic generation failed and draft the static day to serve instead."""
    reason = "planning" if isinstance(exc, PlanningError) else "error"
    logger.error(
        "Dynamic plan generation failed; serving the static plan",
        exc_info=exc,
        extra={"user_id": str(request.user_id), "date": request.day.isoformat(), "reason": reason},
    )
    return draft_static_plan(request, reason)


def count_plan(draft: Draft) -> None:
    """Prometheus: a dynamic plan by policy, or a fallback by reason."""
    if draft.plan_type == PlanType.DYNAMIC:
        metrics.dynamic_plans_generated.labels(policy=draft.policy).inc()
    else:
        metrics.plan_fallbacks.labels(reason=draft.fallback_reason).inc()
