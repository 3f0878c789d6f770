"""Rebuilding logged slots for off-policy evaluation (reads only).

For every dynamically planned item with a logged propensity, the slot's candidates and the
logging policy's probabilities come from the plan item; the candidate policy's
probabilities are recomputed with its own scorer over the same candidates, as that policy
would have seen the user on that day: the adaptive policy's evidence is rebuilt from the
feedback recorded before the plan's date (the same 28-day and 14-day windows the live
profile uses). Each slot is treated on its own: the candidate set is the one the logged
plan offered, even though a different policy could have changed earlier slots of the day.
"""

import uuid
from collections import defaultdict
from datetime import date, timedelta

import numpy as np

from library.scoring import AdaptiveScorer, StaticScorer
from library.selection import choice_probabilities
from library.selectors import active_candidates
from routines.models import PlanItem
from routines.planning import plan_seed

from . import learning
from .models import UserTaskFeedback
from .offpolicy import LoggedEvent

POLICY_NAMES = {"adaptive": AdaptiveScorer.policy, "static": StaticScorer.policy}
CANDIDATE_POLICIES = tuple(POLICY_NAMES)


def _user_history(user_ids: set, since: date, until: date) -> dict:
    """Per user: (date, OutcomeGroup key, completed) for the evidence windows."""
    history: dict = defaultdict(list)
    rows = (
        UserTaskFeedback.objects.filter(
            user_id__in=user_ids,
            scheduled_date__gte=since - timedelta(days=learning.EVIDENCE_DAYS),
            scheduled_date__lt=until,
        )
        .values_list(
            "user_id",
            "scheduled_date",
            "category",
            "task_library__subcategory",
            "task_library__difficulty",
            "time_of_day",
            "completed",
        )
        .iterator(chunk_size=2000)
    )
    for user_id, day, category, subcategory, difficulty, part, completed in rows:
        history[user_id].append((day, (category, subcategory, difficulty, part), completed))
    return history


def _groups(rows, start: date, end: date) -> list[learning.OutcomeGroup]:
    counts: dict = defaultdict(lambda: [0, 0])
    for day, key, completed in rows:
        if start <= day < end:
            counts[key][0] += 1
            counts[key][1] += completed
    return [learning.OutcomeGroup(*key, seen, done) for key, (seen, done) in counts.items()]


def _adaptive_scorer(archetype: str, mode: str, rows, day: date, candidates) -> AdaptiveScorer:
    """The adaptive scorer as it stood before `day`, from the feedback before it."""
    evidence_groups = _groups(rows, day - timedelta(days=learning.EVIDENCE_DAYS), day)
    recent = _groups(rows, day - timedelta(days=learning.WINDOW_DAYS), day)
    seen = sum(g.seen for g in recent)
    earlier = [r for r in rows if r[0] < day]
    phase = learning.next_phase(
        "discovery",
        len(earlier),
        len({r[0] for r in earlier}),
        min(1.0, seen / learning.CONFIDENCE_AT),
    )
    return AdaptiveScorer(
        archetype,
        mode,
        learning.evidence(evidence_groups),
        min(1.0, seen / learning.CONFIDENCE_AT),
        phase,
        candidates,
    )


def logged_events(
    candidate_policy: str,
    since: date,
    until: date,
    user_ids: list[uuid.UUID] | None = None,
) -> tuple[list[LoggedEvent], set[str]]:
    """Events for plan dates in [since, until], and the logging policies seen."""
    if candidate_policy not in CANDIDATE_POLICIES:
        raise ValueError(f"candidate policy must be one of {CANDIDATE_POLICIES}")
    items = PlanItem.objects.filter(
        is_dynamic=True,
        propensity__isnull=False,
        plan__date__gte=since,
        plan__date__lte=until,
    )
    if user_ids is not None:
        items = items.filter(user_id__in=user_ids)
    rows = list(
        items.values_list(
            "user_id",
            "plan__date",
            "plan__archetype",
            "plan__readiness_mode",
            "position",
            "time_of_day",
            "task_library_id",
            "slot_propensities",
            "policy",
            "feedback__completed",
        ).order_by("user_id", "plan__date", "position")
    )
    library = {c.id: c for c in active_candidates(include_inactive=True)}
    history = (
        _user_history({r[0] for r in rows}, since, until + timedelta(days=1))
        if candidate_policy == "adaptive"
        else {}
    )
    events, logging_policies = [], set()
    scorers: dict = {}
    for (
        user_id,
        day,
        archetype,
        mode,
        position,
        part,
        task_id,
        slot,
        policy,
        completed,
    ) in rows:
        # Sorted: PostgreSQL jsonb does not keep key order, and the draws must line up.
        candidate_ids = sorted(tid for tid in (slot or {}) if tid in library)
        if str(task_id) not in candidate_ids:
            continue
        candidates = [library[tid] for tid in candidate_ids]
        key = (user_id, day)
        if key not in scorers:
            scorers[key] = (
                _adaptive_scorer(
                    archetype, mode, history.get(user_id, []), day, list(library.values())
                )
                if candidate_policy == "adaptive"
                else StaticScorer(archetype, mode)
            )
        # Seeded by the slot's place in the plan, not the item's random id, so evaluating the
        # same logs twice gives the same estimate.
        rng = np.random.default_rng(plan_seed(user_id, day, f"evaluate:{position}"))
        target, _ = choice_probabilities(scorers[key], candidates, part, rng)
        events.append(
            LoggedEvent(
                cluster=str(user_id),
                reward=1.0 if completed else 0.0,
                chosen=candidate_ids.index(str(task_id)),
                logging=tuple(float(slot[tid]) for tid in candidate_ids),
                target=tuple(float(p) for p in target),
                arms=tuple(c.arm for c in candidates),
            )
        )
        logging_policies.add(policy)
    return events, logging_policies
