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
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from library.candidates import Candidate
from library.scoring import AdaptiveScorer, StaticScorer
from library.selection import PROPENSITY_DRAWS, SlotGroups
from library.selectors import active_candidates
from profiles import learning
from routines import slot_log
from routines.planning import plan_seed

from .logged_slots import ID_SPACE, MAX_ROWS, LoggedSlot, logged_chunks
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
    logging_policies: set[str] = set()
    events = list(stream_events(candidate_policy, since, until, user_ids, logging_policies))
    return events, logging_policies


def stream_events(
    candidate_policy: str,
    since: date,
    until: date,
    user_ids: list[uuid.UUID] | None = None,
    logging_policies: set[str] | None = None,
    max_rows: int = MAX_ROWS,
    id_range: tuple[int, int] = (0, ID_SPACE),
) -> Iterator[LoggedEvent]:
    """The events of plan dates in [since, until], a chunk of users at a time (bounded
    memory: feedback/logged_slots.py); adds the logging policies seen to `logging_policies`."""
    if candidate_policy not in CANDIDATE_POLICIES:
        raise ValueError(f"candidate policy must be one of {CANDIDATE_POLICIES}")
    # Loaded once for the whole run; logs name tasks by number (routines/slot_log.py).
    library = {c.number: c for c in active_candidates(include_inactive=True)}
    policies = logging_policies if logging_policies is not None else set()
    for chunk in logged_chunks(since, until, user_ids, max_rows, id_range):
        yield from _chunk_events(candidate_policy, chunk, library, since, until, policies)


def _chunk_events(
    candidate_policy: str,
    slots: list[LoggedSlot],
    library: dict[int, Candidate],
    since: date,
    until: date,
    logging_policies: set[str],
) -> Iterator[LoggedEvent]:
    # Rewards come from the outcome model: unanswered items of active days are failures,
    # items of days the user never opened the app are no events at all.
    history = _user_history({s.user_id for s in slots}, since, until)
    reward_of = {o.item_id: o.reward for outcomes in history.values() for o in outcomes}
    candidate_name = POLICY_NAMES[candidate_policy]
    scorers = list(library.values())

    def scorer_for(policy_name: str, slot: LoggedSlot):
        if _is_adaptive(policy_name):
            outcomes = history.get(slot.user_id, [])
            return _adaptive_scorer(slot.archetype, slot.mode, outcomes, slot.day, scorers)
        return StaticScorer(slot.archetype, slot.mode)

    # Slots come ordered by user, day and position: one day at a time, slot by slot.
    current_day, day_state = None, None
    for slot in slots:
        numbers, probabilities = slot_log.decode(slot.slot_log)
        logged = [
            (library[n], p)
            for n, p in zip(numbers.tolist(), probabilities.tolist(), strict=True)
            if n in library
        ]
        if not logged:
            continue
        # Sorted by task id: the order the draws were seeded with before logs were compact.
        logged.sort(key=lambda pair: pair[0].id)
        candidates = [c for c, _ in logged]
        if (slot.user_id, slot.day) != current_day:
            current_day = (slot.user_id, slot.day)
            candidate_scorer = scorer_for(candidate_name, slot)
            # The same policy family builds the same scorer: share it, and its draws.
            same = _is_adaptive(candidate_name) == _is_adaptive(slot.policy)
            day_state = _DayReplay(
                candidate_scorer, candidate_scorer if same else scorer_for(slot.policy, slot)
            )
        # Seeded by the slot's place in the plan, not the item's random id, so evaluating the
        # same logs twice gives the same estimate.
        seed = plan_seed(slot.user_id, slot.day, f"evaluate:{slot.position}")
        target = day_state.target_probabilities(candidates, slot.time_of_day, seed)
        chosen = next((i for i, c in enumerate(candidates) if c.id == str(slot.task_id)), None)
        if chosen is None or slot.item_id not in reward_of:
            continue
        logging_policies.add(slot.policy)
        yield LoggedEvent(
            cluster=str(slot.user_id),
            reward=reward_of[slot.item_id],
            chosen=chosen,
            logging=tuple(p for _, p in logged),
            target=tuple(target.tolist()),
            arms=tuple(c.arm for c in candidates),
        )


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
        excess = {}
        for group, used in self.candidate_use.items():
            logger_used = self.logger_use.get(group, 0.0)
            if used > logger_used and logger_used < 1.0:
                excess[group] = (used - logger_used) / (1.0 - logger_used)
        # Each run draws from a generator seeded alike, so the draws are the same numbers
        # for one scorer: draw once per scorer and reuse them (the scores were a slot's
        # main cost, three times over).
        groups = SlotGroups(candidates)
        uniforms, scores = groups.draw(
            self.candidate_scorer, part, np.random.default_rng(seed), PROPENSITY_DRAWS
        )
        target, candidate_after = groups.probabilities(uniforms, scores, excess)
        if self.logger_scorer is self.candidate_scorer and self.candidate_use == self.logger_use:
            # One policy replayed on logs of its own family: both uses move alike, so the
            # candidate loses nothing and one run gives both.
            if self.candidate_use:
                _, candidate_after = groups.probabilities(uniforms, scores, self.candidate_use)
            self.candidate_use.update(candidate_after)
            self.logger_use.update(candidate_after)
            return target
        _, candidate_after = groups.probabilities(uniforms, scores, self.candidate_use)
        if self.logger_scorer is not self.candidate_scorer:
            uniforms, scores = groups.draw(
                self.logger_scorer, part, np.random.default_rng(seed), PROPENSITY_DRAWS
            )
        _, logger_after = groups.probabilities(uniforms, scores, self.logger_use)
        self.candidate_use.update(candidate_after)
        self.logger_use.update(logger_after)
        return target
