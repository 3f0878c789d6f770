"""Rebuilding logged slots for off-policy evaluation (reads only).

For every dynamically planned item with a logged propensity, the slot's candidates and the
logging policy's probabilities come from the plan item; the candidate policy's
probabilities are recomputed with its own scorer over the same candidates, as that policy
would have seen the user on that day: the adaptive policy's evidence is rebuilt from the
outcomes before the plan's date (the outcome model, feedback/outcomes.py, and the same
28-day and 14-day windows the live profile uses). A logged item's reward is its outcome:
completed 1, skipped or unanswered on an active day 0; an item of a day the user never
opened the app is no event.

Slots of one day are not independent: the planner takes one task per variation group a
day, so a policy that would have taken its favourite group in the morning cannot take it
again at midday. Scoring each slot on its own credited the candidate with its favourite
everywhere (3 to 5 points too high at medium and high heterogeneity in the simulation).
So each day is replayed slot by slot, carrying how often each policy would have used each
group (_DayReplay). What remains assumed: the candidate set of a slot is the one the
logged plan offered, and rotation across days follows the logged plans.
"""

import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from library.scoring import AdaptiveScorer, StaticScorer
from library.selection import probabilities_with_blocked_groups
from library.selectors import active_candidates
from profiles import learning
from routines.models import PlanItem
from routines.planning import plan_seed

from .offpolicy import LoggedEvent
from .outcomes import ItemOutcome, fresh_since, item_outcomes, windows

POLICY_NAMES = {"adaptive": AdaptiveScorer.policy, "static": StaticScorer.policy}
CANDIDATE_POLICIES = tuple(POLICY_NAMES)


def _user_history(user_ids: set, since: date, until: date) -> dict:
    """Per user: the outcomes (outcome model) from EVIDENCE_DAYS before `since` through
    `until`, with the days up to `until` closed; ordered by day."""
    history: dict = defaultdict(list)
    start = since - timedelta(days=learning.EVIDENCE_DAYS)
    for outcome in item_outcomes(sorted(user_ids), start, until + timedelta(days=1)):
        history[outcome.user_id].append(outcome)
    return history


def _adaptive_scorer(
    archetype: str, mode: str, outcomes: list[ItemOutcome], day: date, candidates
) -> AdaptiveScorer:
    """The adaptive scorer as it stood before `day`, from the outcomes before it."""
    earlier = [o for o in outcomes if o.day < day]
    evidence_start = day - timedelta(days=learning.EVIDENCE_DAYS)
    window_start = day - timedelta(days=learning.WINDOW_DAYS)
    fresh_start, second_week = fresh_since(day), windows(day)[0]
    # As relearning on `day` groups them: by weeks ago, for forgetting.
    evidence_groups = [
        replace(o.group, weeks_ago=0 if o.day >= fresh_start else 1 if o.day >= second_week else 2)
        for o in earlier
        if o.day >= evidence_start
    ]
    _, seen = learning.plain_counts(o.group for o in earlier if o.day >= window_start)
    return AdaptiveScorer(
        archetype,
        mode,
        learning.evidence(evidence_groups),
        min(1.0, seen / learning.CONFIDENCE_AT),
        len(earlier),
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
            "id",
        ).order_by("user_id", "plan__date", "position")
    )
    library = {c.id: c for c in active_candidates(include_inactive=True)}
    needs_history = candidate_policy == "adaptive" or any(_is_adaptive(row[8]) for row in rows)
    # Rewards come from the outcome model: unanswered items of active days are failures,
    # items of days the user never opened the app are no events at all.
    history = _user_history({r[0] for r in rows}, since, until)
    reward_of = {o.item_id: o.reward for outcomes in history.values() for o in outcomes}
    if not needs_history:
        history = {}

    def scorer_for(policy_name: str, user_id, archetype: str, mode: str, day: date):
        if _is_adaptive(policy_name):
            return _adaptive_scorer(
                archetype, mode, history.get(user_id, []), day, list(library.values())
            )
        return StaticScorer(archetype, mode)

    events, logging_policies = [], set()
    # Rows come ordered by user, day and position: one day at a time, slot by slot.
    current_day, day_state = None, None
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
        item_id,
    ) in rows:
        # Sorted: PostgreSQL jsonb does not keep key order, and the draws must line up.
        candidate_ids = sorted(tid for tid in (slot or {}) if tid in library)
        if not candidate_ids:
            continue
        candidates = [library[tid] for tid in candidate_ids]
        if (user_id, day) != current_day:
            current_day = (user_id, day)
            day_state = _DayReplay(
                scorer_for(POLICY_NAMES[candidate_policy], user_id, archetype, mode, day),
                scorer_for(policy, user_id, archetype, mode, day),
            )
        # Seeded by the slot's place in the plan, not the item's random id, so evaluating the
        # same logs twice gives the same estimate.
        seed = plan_seed(user_id, day, f"evaluate:{position}")
        target = day_state.target_probabilities(candidates, part, seed)
        if str(task_id) not in candidate_ids or item_id not in reward_of:
            continue
        events.append(
            LoggedEvent(
                cluster=str(user_id),
                reward=reward_of[item_id],
                chosen=candidate_ids.index(str(task_id)),
                logging=tuple(float(slot[tid]) for tid in candidate_ids),
                target=tuple(float(p) for p in target),
                arms=tuple(c.arm for c in candidates),
            )
        )
        logging_policies.add(policy)
    return events, logging_policies


def _is_adaptive(policy_name: str) -> bool:
    """Any version of the adaptive policy: an older version's logs replay its group use with
    today's adaptive scorer, the nearest model of it there is."""
    return policy_name.startswith("adaptive-")


class _DayReplay:
    """One logged day, slot by slot: how often each policy would have used each group.

    The planner takes one task per variation group a day, and a logged slot already lacks
    the groups the logger really used earlier that day. What the candidate policy would
    additionally have lost is its *excess* use of a group over the logger's: with the two
    policies' use of a group maximally coupled, a group the logger had not used is
    unavailable to the candidate with probability (u_candidate - u_logger) / (1 - u_logger).
    Evaluating the logger on its own logs therefore blocks nothing, as it must.
    """

    def __init__(self, candidate_scorer, logger_scorer) -> None:
        self.candidate_scorer = candidate_scorer
        self.logger_scorer = logger_scorer
        self.candidate_use: dict[str, float] = {}
        self.logger_use: dict[str, float] = {}

    def target_probabilities(self, candidates, part: str, seed: int) -> np.ndarray:
        def run(scorer, blocked):
            rng = np.random.default_rng(seed)
            return probabilities_with_blocked_groups(scorer, candidates, part, rng, blocked)

        excess = {}
        for group, used in self.candidate_use.items():
            logger_used = self.logger_use.get(group, 0.0)
            if used > logger_used and logger_used < 1.0:
                excess[group] = (used - logger_used) / (1.0 - logger_used)
        target, _ = run(self.candidate_scorer, excess)
        _, candidate_after = run(self.candidate_scorer, self.candidate_use)
        _, logger_after = run(self.logger_scorer, self.logger_use)
        self.candidate_use.update(candidate_after)
        self.logger_use.update(logger_after)
        return target
