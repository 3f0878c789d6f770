"""Plan generation: the one code path behind the API, the nightly command and the preview."""

import logging
import time as clock
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import metrics
from feedback.models import UserPreferenceProfile, UserTaskFeedback
from feedback.selectors import get_profile
from library.candidates import Candidate
from library.choices import Mode
from library.scoring import AdaptiveScorer, Scorer, StaticScorer
from library.selectors import active_candidates

from .layout import allowed_difficulties
from .models import Plan, PlanItem, PlanType, TimeBlock
from .planning import DayRequest, PlannedBlock, plan_day, plan_rng, static_day
from .rotation import record_usage
from .selectors import (
    StoredPlan,
    UserToPlan,
    get_stored_plan,
    recent_task_use,
    recent_task_use_many,
)
from .sharding import Shard

logger = logging.getLogger(__name__)

DEFAULT_WAKE_TIME = time(6, 0)
STATIC_MODEL = "static_default_v1"


# (archetype, mode, profile or None, library) -> the scorer for one plan.
ScorerFactory = Callable[[str, str, object, Sequence[Candidate]], Scorer]


@dataclass(frozen=True, slots=True)
class Prefetched:
    """Reads a batch caller did once for many users: the profile and rotation history
    (None: read it per plan)."""

    profile: object | None
    last_used: dict[str, date] | None


class PlanningError(Exception):
    """Dynamic generation could not produce a usable plan (the static plan is served)."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A planned day before it is stored."""

    blocks: list[PlannedBlock]
    plan_type: str
    model_used: str
    mode: str
    policy: str = ""
    fallback_reason: str = ""


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
            learning_phase=profile.learning_phase,
            candidates=candidates,
        )
    return StaticScorer(archetype, mode)


def draft_dynamic_plan(
    user_id: uuid.UUID,
    archetype: str,
    day: date,
    mode: str,
    wake_time: time,
    profile=None,
    candidates: Sequence[Candidate] | None = None,
    scorer_factory: ScorerFactory | None = None,
    last_used: dict[str, date] | None = None,
) -> Draft:
    """Choose and schedule the day's tasks (reads only; nothing is written).

    Batch callers pass `candidates` once for many users instead of reloading the library.
    """
    if candidates is None:
        candidates = active_candidates()
    if not candidates:
        raise PlanningError("the task library has no active tasks")
    if last_used is None:
        last_used = recent_task_use(user_id, day)
    tolerance = profile.complexity_tolerance if profile is not None else 0.5
    request = DayRequest(day, wake_time, mode, allowed_difficulties(mode, tolerance))
    scorer = (scorer_factory or make_scorer)(archetype, mode, profile, candidates)
    started = clock.perf_counter()
    blocks = plan_day(request, candidates, last_used, scorer, plan_rng(user_id, day))
    metrics.task_library_selection_seconds.observe(clock.perf_counter() - started)
    if not any(block.tasks for block in blocks):
        raise PlanningError("no task in the library fits this day")
    return Draft(
        blocks,
        PlanType.DYNAMIC,
        f"task_library_{settings.TASK_LIBRARY_VERSION}",
        mode,
        policy=scorer.policy,
    )


def draft_static_plan(day: date, mode: str, wake_time: time, reason: str) -> Draft:
    return Draft(static_day(day, wake_time), PlanType.STATIC, STATIC_MODEL, mode, "", reason)


def generate_plan(
    user_id: uuid.UUID,
    archetype: str,
    day: date,
    mode: str | None = None,
    preferences: dict | None = None,
    regenerate: bool = False,
    *,
    candidates: Sequence[Candidate] | None = None,
    scorer_factory: ScorerFactory | None = None,
    prefetched: Prefetched | None = None,
) -> StoredPlan:
    """Return the user's plan for `day`, generating and storing it if needed.

    One plan per (user, date): without `regenerate` an existing plan is returned as is;
    with it, the plan's blocks and items are replaced atomically. Dynamic generation that
    fails for any reason is logged and counted, and the static default day is served.
    `candidates` (the library, loaded once), `prefetched` (reads done for a whole batch)
    and `scorer_factory` (another policy) are for batch runs and the simulation.
    """
    if not regenerate:
        existing = get_stored_plan(user_id, day)
        if existing is not None:
            return existing
    started = clock.perf_counter()
    preferences = preferences or {}
    wake_time = preferences.get("wake_time") or DEFAULT_WAKE_TIME
    if prefetched is None:
        prefetched = Prefetched(get_profile(user_id), None)
    profile = prefetched.profile
    mode = mode or (profile.current_mode if profile is not None else Mode.MEDIUM)

    def attempt() -> tuple[StoredPlan, Draft]:
        return _generate_and_store(
            user_id,
            archetype,
            day,
            mode,
            wake_time,
            profile,
            regenerate,
            candidates,
            scorer_factory,
            prefetched.last_used,
        )

    try:
        stored, draft = attempt()
    except _PlanExists:
        if not regenerate:
            return get_stored_plan(user_id, day)
        # A concurrent request created the plan first: replace it, as asked.
        stored, draft = attempt()
    _count(draft)
    metrics.plan_generation_seconds.observe(clock.perf_counter() - started)
    return stored


def _generate_and_store(
    user_id: uuid.UUID,
    archetype: str,
    day: date,
    mode: str,
    wake_time: time,
    profile,
    regenerate: bool,
    candidates: Sequence[Candidate] | None,
    scorer_factory: ScorerFactory | None,
    last_used: dict[str, date] | None = None,
) -> tuple[StoredPlan, Draft]:
    if settings.ENABLE_DYNAMIC_PLANS:
        try:
            with transaction.atomic():
                draft = draft_dynamic_plan(
                    user_id,
                    archetype,
                    day,
                    mode,
                    wake_time,
                    profile,
                    candidates=candidates,
                    scorer_factory=scorer_factory,
                    last_used=last_used,
                )
                plan = PlanToStore(user_id, archetype, wake_time, draft)
                return store_plans(day, [plan], regenerate)[0], draft
        except _PlanExists:
            raise
        except Exception as exc:
            draft = _fallback_draft(exc, user_id, day, mode, wake_time)
    else:
        draft = draft_static_plan(day, mode, wake_time, "disabled")
    with transaction.atomic():
        plan = PlanToStore(user_id, archetype, wake_time, draft)
        return store_plans(day, [plan], regenerate)[0], draft


def _fallback_draft(
    exc: Exception, user_id: uuid.UUID, day: date, mode: str, wake_time: time
) -> Draft:
    """Log why dynamic generation failed and draft the static day to serve instead."""
    reason = "planning" if isinstance(exc, PlanningError) else "error"
    logger.error(
        "Dynamic plan generation failed; serving the static plan",
        exc_info=exc,
        extra={"user_id": str(user_id), "date": day.isoformat(), "reason": reason},
    )
    return draft_static_plan(day, mode, wake_time, reason)


def _count(draft: Draft) -> None:
    if draft.plan_type == PlanType.DYNAMIC:
        metrics.dynamic_plans_generated.labels(policy=draft.policy).inc()
    else:
        metrics.plan_fallbacks.labels(reason=draft.fallback_reason).inc()


class _PlanExists(Exception):
    """Another request stored a plan for one of these users and this date first."""


@dataclass(frozen=True, slots=True)
class PlanToStore:
    user_id: uuid.UUID
    archetype: str
    wake_time: time
    draft: Draft


def store_plans(day: date, plans: Sequence[PlanToStore], regenerate: bool) -> list[StoredPlan]:
    """Write drafted plans for `day` in a constant number of statements, however many.

    The one writer behind a single request (one plan) and the nightly batch (hundreds).
    Call it inside a transaction. Without `regenerate` every plan must be new (a stored
    plan for the same user and date raises _PlanExists); with it, existing plans keep
    their id and have their blocks and items replaced. Rotation counts follow in one
    upsert.
    """
    existing: dict[uuid.UUID, Plan] = {}
    removed: dict[uuid.UUID, Counter] = {}
    user_ids = [p.user_id for p in plans]
    if regenerate:
        locked = Plan.objects.select_for_update().filter(user_id__in=user_ids, date=day)
        existing = {plan.user_id: plan for plan in locked.order_by("user_id")}
    if existing:
        replaced = PlanItem.objects.filter(plan__in=existing.values(), is_dynamic=True)
        for user_id, group in replaced.values_list("user_id", "variation_group"):
            removed.setdefault(user_id, Counter())[group] += 1
        _clear_contents(list(existing.values()))

    stored_plans: list[Plan] = []
    new_plans: list[Plan] = []
    now = timezone.now()
    for request in plans:
        fields = _plan_fields(request)
        plan = existing.get(request.user_id)
        if plan is None:
            plan = Plan(user_id=request.user_id, date=day, **fields)
            new_plans.append(plan)
        else:
            for name, value in fields.items():
                setattr(plan, name, value)
            plan.updated_at = now  # bulk_update does not apply auto_now
        stored_plans.append(plan)
    if existing:
        Plan.objects.bulk_update(existing.values(), fields=[*_PLAN_FIELDS, "updated_at"])
    if new_plans:
        try:
            Plan.objects.bulk_create(new_plans)
        except IntegrityError as exc:
            # The caller's transaction rolls back; it returns or replaces the winner.
            raise _PlanExists from exc

    results: list[StoredPlan] = []
    all_blocks: list[TimeBlock] = []
    all_items: list[PlanItem] = []
    added: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for request, plan in zip(plans, stored_plans, strict=True):
        blocks, items = _rows(plan, request.draft)
        all_blocks += blocks
        all_items += items
        results.append(StoredPlan(plan, blocks, items))
        used = [(i.task_library_id, i.variation_group) for i in items if i.is_dynamic]
        if used:
            added[request.user_id] = used
    TimeBlock.objects.bulk_create(all_blocks)
    PlanItem.objects.bulk_create(all_items)
    if added or removed:
        record_usage(day, added, removed)
    return results


_PLAN_FIELDS = (
    "archetype",
    "plan_type",
    "model_used",
    "readiness_mode",
    "wake_time",
    "fallback_reason",
)


def _plan_fields(request: PlanToStore) -> dict:
    draft = request.draft
    values = (
        request.archetype,
        draft.plan_type,
        draft.model_used,
        draft.mode,
        request.wake_time,
        draft.fallback_reason,
    )
    return dict(zip(_PLAN_FIELDS, values, strict=True))


def _clear_contents(plans: list[Plan]) -> None:
    """Delete plans' blocks and items in three statements, keeping the feedback on them.

    Feedback is history, so its link to a replaced item is cleared (what SET_NULL does);
    Django's cascade would first fetch every block and item to do the same.
    """
    UserTaskFeedback.objects.filter(plan_item__plan__in=plans).update(plan_item=None)
    ids = [Plan._meta.pk.get_db_prep_value(plan.pk, connection) for plan in plans]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for model in (PlanItem, TimeBlock):
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE plan_id IN ({marks})", ids)


def _rows(plan: Plan, draft: Draft) -> tuple[list[TimeBlock], list[PlanItem]]:
    """The time block and plan item rows of a drafted plan."""
    blocks: list[TimeBlock] = []
    items: list[PlanItem] = []
    is_dynamic = draft.plan_type == PlanType.DYNAMIC
    for block_index, planned in enumerate(draft.blocks):
        block = TimeBlock(
            plan=plan,
            position=block_index,
            block_name=planned.spec.name,
            start_time=planned.start.time(),
            end_time=planned.end.time(),
            zone_type=planned.spec.zone_type,
            purpose=planned.spec.purpose,
            time_of_day=planned.spec.time_of_day,
        )
        blocks.append(block)
        for task in planned.tasks:
            items.append(
                PlanItem(
                    plan=plan,
                    time_block=block,
                    position=len(items),
                    user_id=plan.user_id,
                    scheduled_date=task.start.date(),
                    scheduled_time=task.start.time(),
                    end_time=task.end.time(),
                    title=task.title,
                    description=task.description,
                    category=task.category,
                    priority=task.priority,
                    estimated_duration_minutes=task.duration_minutes,
                    time_of_day=task.time_of_day,
                    task_library_id=uuid.UUID(task.task_id) if task.task_id else None,
                    variation_group=task.variation_group,
                    is_dynamic=is_dynamic,
                    policy=draft.policy if is_dynamic else "",
                    propensity=task.propensity,
                    slot_propensities=task.slot_propensities,
                )
            )
    return blocks, items


@dataclass(slots=True)
class RegenerationReport:
    users: int = 0
    plans_written: int = 0
    fallbacks: int = 0
    failures: list[tuple[uuid.UUID, str]] = field(default_factory=list)


def regenerate_plans(
    day: date,
    batches: Iterable[list[UserToPlan]],
    shard: Shard | None = None,
    dry_run: bool = False,
    on_user_done: Callable[[RegenerationReport], None] | None = None,
) -> RegenerationReport:
    """The nightly run: replace each user's plan for `day`; one failing user skips only them.

    The library is loaded once for the whole run, and each batch is read, drafted and
    written with a constant number of statements (store_plans). If a batch's write
    fails (say a user's on-demand request stored a plan meanwhile, or one row is bad),
    the batch is written again one user at a time through generate_plan, so only the
    failing user is skipped. A dry run drafts every plan (so problems show up) and
    writes nothing.
    """
    report = RegenerationReport()
    candidates = active_candidates()
    for page in batches:
        mine = [user for user in page if shard is None or shard.owns(user.user_id)]
        if not mine:
            continue
        ids = [user.user_id for user in mine]
        profiles = {p.user_id: p for p in UserPreferenceProfile.objects.filter(user_id__in=ids)}
        recent = recent_task_use_many(ids, day)
        batch = _Batch(
            day,
            mine,
            candidates,
            {
                user.user_id: Prefetched(profiles.get(user.user_id), recent.get(user.user_id, {}))
                for user in mine
            },
        )
        if dry_run:
            _dry_run(batch, report, on_user_done)
        elif not _write_batch(batch, report, on_user_done):
            with transaction.atomic():
                for user in mine:
                    _regenerate_one(user, day, candidates, batch.prefetched[user.user_id], report)
                    if on_user_done is not None:
                        on_user_done(report)
    return report


@dataclass(frozen=True, slots=True)
class _Batch:
    """One nightly batch: its users and what was read for all of them at once."""

    day: date
    users: list[UserToPlan]
    candidates: Sequence[Candidate]
    prefetched: dict[uuid.UUID, Prefetched]

    def mode_and_wake_time(self, user: UserToPlan) -> tuple[str, time]:
        profile = self.prefetched[user.user_id].profile
        mode = profile.current_mode if profile is not None else Mode.MEDIUM
        return mode, user.wake_time or DEFAULT_WAKE_TIME

    def draft(self, user: UserToPlan) -> Draft:
        """The user's dynamic plan from the batch's reads (no queries); raises on failure."""
        mode, wake_time = self.mode_and_wake_time(user)
        prefetched = self.prefetched[user.user_id]
        return draft_dynamic_plan(
            user.user_id,
            user.archetype,
            self.day,
            mode,
            wake_time,
            prefetched.profile,
            candidates=self.candidates,
            last_used=prefetched.last_used,
        )


def _write_batch(
    batch: _Batch,
    report: RegenerationReport,
    on_user_done: Callable[[RegenerationReport], None] | None,
) -> bool:
    """Draft and store a batch's plans in one transaction; False if the write failed."""
    plans = []
    for user in batch.users:
        mode, wake_time = batch.mode_and_wake_time(user)
        if not settings.ENABLE_DYNAMIC_PLANS:
            draft = draft_static_plan(batch.day, mode, wake_time, "disabled")
        else:
            try:
                draft = batch.draft(user)
            except Exception as exc:
                draft = _fallback_draft(exc, user.user_id, batch.day, mode, wake_time)
        plans.append(PlanToStore(user.user_id, user.archetype, wake_time, draft))
    try:
        with transaction.atomic():
            store_plans(batch.day, plans, regenerate=True)
    except Exception:
        logger.warning(
            "Writing a batch of plans failed; writing its users one at a time",
            exc_info=True,
            extra={"date": batch.day.isoformat(), "users": len(plans)},
        )
        return False
    for plan in plans:
        _count(plan.draft)
        report.users += 1
        report.plans_written += 1
        if plan.draft.plan_type == PlanType.STATIC:
            report.fallbacks += 1
        if on_user_done is not None:
            on_user_done(report)
    return True


def _dry_run(
    batch: _Batch,
    report: RegenerationReport,
    on_user_done: Callable[[RegenerationReport], None] | None,
) -> None:
    for user in batch.users:
        report.users += 1
        try:
            batch.draft(user)
        except Exception as exc:
            report.failures.append((user.user_id, f"{type(exc).__name__}: {exc}"))
        if on_user_done is not None:
            on_user_done(report)


def _regenerate_one(
    user: UserToPlan,
    day: date,
    candidates: Sequence[Candidate],
    prefetched: Prefetched,
    report: RegenerationReport,
) -> None:
    report.users += 1
    try:
        # generate_plan writes inside its own savepoint: a failure rolls back this user only.
        stored = generate_plan(
            user.user_id,
            user.archetype,
            day,
            preferences={"wake_time": user.wake_time or DEFAULT_WAKE_TIME},
            regenerate=True,
            candidates=candidates,
            prefetched=prefetched,
        )
        report.plans_written += 1
        if stored.plan.plan_type == PlanType.STATIC:
            report.fallbacks += 1
    except Exception as exc:
        logger.exception("Regenerating the plan failed", extra={"user_id": str(user.user_id)})
        report.failures.append((user.user_id, f"{type(exc).__name__}: {exc}"))
