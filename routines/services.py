"""Plan generation: the one code path behind the API, the nightly command and the preview."""

import time as clock
import uuid
from collections.abc import Sequence
from datetime import date

from django.db import transaction

from core import metrics
from library.candidates import Candidate
from library.choices import Mode
from profiles.selectors import get_profile

from .drafting import (
    DEFAULT_WAKE_TIME,
    Draft,
    PlanRequest,
    ScorerFactory,
    count_plan,
    draft_plan,
    fallback_draft,
)
from .models import PlanType
from .selectors import StoredPlan, get_stored_plan
from .storage import PlanExists, PlanToStore, store_plans


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
) -> StoredPlan:
    """Return the user's plan for `day`, generating and storing it if needed.

    One plan per (user, date): without `regenerate` an existing plan is returned as is;
    with it, the plan's blocks and items are replaced atomically. Dynamic generation that
    fails for any reason is logged and counted, and the static default day is served.
    """
    if not regenerate:
        existing = get_stored_plan(user_id, day)
        if existing is not None:
            return existing
    profile = get_profile(user_id)
    request = PlanRequest(
        user_id,
        archetype,
        day,
        mode or (profile.current_mode if profile is not None else Mode.MEDIUM),
        (preferences or {}).get("wake_time") or DEFAULT_WAKE_TIME,
        profile,
        candidates=candidates,
        scorer_factory=scorer_factory,
    )
    return produce_plan(request, regenerate)


def produce_plan(request: PlanRequest, regenerate: bool) -> StoredPlan:
    """Draft and store one plan; a concurrent request that stored it first wins.

    Without `regenerate` the winner's plan is returned; with it, the winner is replaced.
    """
    started = clock.perf_counter()
    try:
        stored, draft = _draft_and_store(request, regenerate)
    except PlanExists:
        if not regenerate:
            return get_stored_plan(request.user_id, request.day)
        stored, draft = _draft_and_store(request, regenerate)
    count_plan(draft)
    metrics.plan_generation_seconds.observe(clock.perf_counter() - started)
    return stored


def _draft_and_store(request: PlanRequest, regenerate: bool) -> tuple[StoredPlan, Draft]:
    """Store the drafted plan; if writing a dynamic plan fails, store the static day."""
    draft = draft_plan(request)
    try:
        with transaction.atomic():
            return _store(request, draft, regenerate), draft
    except PlanExists:
        raise
    except Exception as exc:
        if draft.plan_type != PlanType.DYNAMIC:
            raise
        draft = fallback_draft(exc, request)
    with transaction.atomic():
        return _store(request, draft, regenerate), draft


def _store(request: PlanRequest, draft: Draft, regenerate: bool) -> StoredPlan:
    return store_plans(request.day, [PlanToStore(request, draft)], regenerate)[0]
