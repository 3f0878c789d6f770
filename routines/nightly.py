"""The nightly run: every user's plan for a day, written a batch at a time."""

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from library.candidates import Candidate
from library.choices import Mode
from library.selectors import active_candidates
from profiles.models import UserPreferenceProfile
from profiles.selectors import profiles_by_user
from profiles.services import lock_profiles

from .drafting import (
    DEFAULT_WAKE_TIME,
    PlanRequest,
    count_plan,
    draft_dynamic_plan,
    draft_plan,
)
from .models import PlanType
from .selectors import UserToPlan, recent_task_use_many
from .services import produce_plan
from .storage import PlanToStore, store_plans

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class RegenerationReport:
    users: int = 0
    plans_written: int = 0
    fallbacks: int = 0
    # Users erased after their batch was read (privacy): no plan written for them.
    skipped: int = 0
    failures: list[tuple[uuid.UUID, str]] = field(default_factory=list)


ProgressCallback = Callable[[RegenerationReport], None]


def regenerate_plans(
    day: date,
    batches: Iterable[list[UserToPlan]],
    dry_run: bool = False,
    on_user_done: ProgressCallback | None = None,
    before_batch: Callable[[list[uuid.UUID]], object] | None = None,
) -> RegenerationReport:
    """Replace each user's plan for `day`; one failing user skips only them.

    The library is loaded once for the whole run, and each batch is read, drafted and
    written with a constant number of statements (store_plans). If a batch's write
    fails (say a user's on-demand request stored a plan meanwhile, or one row is bad),
    the batch is written again one user at a time through produce_plan, so only the
    failing user is skipped. A dry run drafts every plan (so problems show up) and
    writes nothing. `before_batch` runs with each batch's user ids before its profiles are
    read (the command relearns them there; routines never reads feedback itself).
    """
    report = RegenerationReport()
    candidates = active_candidates()
    for page in batches:
        mine = list(page)
        if not mine:
            continue
        if before_batch is not None and not dry_run:
            before_batch([user.user_id for user in mine])
        requests = _requests(day, mine, candidates, report)
        if dry_run:
            _dry_run(requests, report, on_user_done)
        elif not _write_batch(day, requests, report, on_user_done):
            with transaction.atomic():
                for request in requests:
                    if lock_profiles([request.user_id]):
                        _regenerate_one(request, report)
                    else:
                        _skip_erased(report)
                    if on_user_done is not None:
                        on_user_done(report)
    return report


def _requests(
    day: date, users: list[UserToPlan], candidates: Sequence[Candidate], report: RegenerationReport
) -> list[PlanRequest]:
    """One batch's plan requests, from two reads for all its users (profiles, rotation).

    The batch lists users with a profile; one without a profile now was erased since the
    list was read, and is skipped.
    """
    ids = [user.user_id for user in users]
    profiles = profiles_by_user(ids)
    recent = recent_task_use_many(ids, day)
    requests = []
    for user in users:
        profile = profiles.get(user.user_id)
        if profile is None:
            _skip_erased(report)
            continue
        requests.append(_request(day, user, profile, recent.get(user.user_id, {}), candidates))
    return requests


def _skip_erased(report: RegenerationReport) -> None:
    report.users += 1
    report.skipped += 1


def _request(
    day: date,
    user: UserToPlan,
    profile: UserPreferenceProfile | None,
    last_used: dict[str, date],
    candidates: Sequence[Candidate],
) -> PlanRequest:
    return PlanRequest(
        user.user_id,
        user.archetype,
        day,
        profile.current_mode if profile is not None else Mode.MEDIUM,
        user.wake_time or DEFAULT_WAKE_TIME,
        profile,
        last_used,
        candidates,
    )


def _write_batch(
    day: date,
    requests: list[PlanRequest],
    report: RegenerationReport,
    on_user_done: ProgressCallback | None,
) -> bool:
    """Draft and store a batch's plans in one transaction; False if the write failed."""
    plans = [PlanToStore(request, draft_plan(request)) for request in requests]
    try:
        with transaction.atomic():
            # The profiles are locked first, as erasure locks them before deleting: a user
            # erased since `requests` were read is left out, and an erasure arriving now
            # waits for this write, then deletes it.
            present = lock_profiles([plan.user_id for plan in plans])
            erased = len(plans) - len(present)
            plans = [plan for plan in plans if plan.user_id in present]
            if plans:
                store_plans(day, plans, regenerate=True)
    except Exception:
        logger.warning(
            "Writing a batch of plans failed; writing its users one at a time",
            exc_info=True,
            extra={"date": day.isoformat(), "users": len(plans)},
        )
        return False
    for _ in range(erased):
        _skip_erased(report)
    for plan in plans:
        count_plan(plan.draft)
        _tally(report, plan.draft.plan_type)
        if on_user_done is not None:
            on_user_done(report)
    return True


def _tally(report: RegenerationReport, plan_type: str) -> None:
    report.users += 1
    report.plans_written += 1
    if plan_type == PlanType.STATIC:
        report.fallbacks += 1


def _dry_run(
    requests: list[PlanRequest],
    report: RegenerationReport,
    on_user_done: ProgressCallback | None,
) -> None:
    """Draft every plan dynamically, reporting what fails instead of falling back."""
    for request in requests:
        report.users += 1
        try:
            draft_dynamic_plan(request)
        except Exception as exc:
            report.failures.append((request.user_id, f"{type(exc).__name__}: {exc}"))
        if on_user_done is not None:
            on_user_done(report)


def _regenerate_one(request: PlanRequest, report: RegenerationReport) -> None:
    try:
        # produce_plan writes inside its own savepoint: a failure rolls back this user only.
        stored = produce_plan(request, regenerate=True)
    except Exception as exc:
        report.users += 1
        logger.exception("Regenerating the plan failed", extra={"user_id": str(request.user_id)})
        report.failures.append((request.user_id, f"{type(exc).__name__}: {exc}"))
        return
    _tally(report, stored.plan.plan_type)
