"""A seeded simulation that measures whether the learning works.

Synthetic users have hidden completion probabilities made by a world (lab/worlds.py): in
the standard world, what their archetype predicts (the task's archetype fit), plus
personal tastes per subcategory, difficulty and part of the day whose spread is the
heterogeneity level; the other worlds change one thing (capacity, reversal, injury, daily
mode, per-task taste). Each policy plans through the real `generate_plan` and learns
through the real `record_outcomes`, on the same users facing the same coin flips:

- static: the spec's scorer (0.7 archetype + 0.3 mode + jitter), the baseline;
- adaptive: the learned profile (Thompson sampling), the product;
- peer: MABWiser's Thompson sampling per subcategory (lab/peer.py), a textbook learner;
- oracle: knows the hidden probabilities, under the same plan rules and variety limits.

What reaches `record_outcomes` depends on the client model (lab/clients.py): every item
answered (full), only ticks (completions) or the real app's ticks, occasional skips and
ratings and silent days (mixed). The completion rates reported are the users' hidden ones,
whatever the client reported.
"""

import multiprocessing
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from feedback.services import record_outcomes
from library.candidates import Candidate
from library.selectors import active_candidates
from profiles.services import update_profile
from routines.drafting import ScorerFactory, make_scorer
from routines.services import generate_plan
from routines.swaps import current_items

from . import simulation_worker
from .clients import CLIENTS, LivedItem, day_calls
from .oracle import OracleScorer
from .peer import PEER, PeerBandit, PeerScorer, day_rewards, peer_seed
from .results import SimulationResult, WeekStats
from .swapping import opens_app, swap_disliked
from .worlds import (
    HETEROGENEITY,
    STANDARD,
    WORLDS,
    Day,
    SimUser,
    WorldUser,
    make_world_users,
)
from .worlds import unit as _unit

# The policies of the original comparison; ALL_POLICIES adds the peer, in report order.
POLICIES = ("static", "adaptive", "oracle")
ALL_POLICIES = ("static", "adaptive", PEER, "oracle")
START = date(2026, 1, 5)  # a Monday, so weeks line up
# Planned as production plans: no scorer of the lab's, the user's holdout group picks the
# policy (routines/holdout.py; lab/holdout_check.py runs it with HOLDOUT_SHARE set).
LIVE = "live"
_NAMESPACE = uuid.UUID("9b0f8a4e-0c55-4f3c-8d51-2a4f0f6a7e21")


def scorer_factory(
    policy: str,
    user: SimUser | WorldUser,
    offset: int = 0,
    peer: PeerBandit | None = None,
) -> ScorerFactory | None:
    """The planner's scorer factory for `policy` on day `offset` (the oracle's view of
    the world depends on the day; the peer's bandit lives across days)."""
    person = user if isinstance(user, WorldUser) else WorldUser(STANDARD, user)
    if policy == LIVE:
        return None
    if policy == "oracle":
        return lambda archetype, mode, profile, candidates: OracleScorer(
            person, mode, offset, candidates
        )
    if policy == PEER:
        if peer is None:
            raise ValueError("the peer policy needs the user's bandit")
        return lambda archetype, mode, profile, candidates: PeerScorer(peer, archetype, mode)
    if policy == ADAPTIVE_IN_LOGGED_SLOTS:
        return _in_logged_slots
    return lambda archetype, mode, profile, candidates: make_scorer(
        archetype, mode, profile, candidates, policy
    )


# The adaptive scorer on the mode's full layout: what off-policy evaluation can score. Slot
# logs say nothing about plans of another size or category mix (the logging policy never
# served them), so the off-policy check compares its estimate with this (off_policy_check).
ADAPTIVE_IN_LOGGED_SLOTS = "adaptive-in-logged-slots"


def _in_logged_slots(archetype, mode, profile, candidates):
    scorer = make_scorer(archetype, mode, profile, candidates, "adaptive")
    scorer.daily_capacity = None
    scorer.category_affinity = None
    return scorer


def sim_user_id(label: str, seed: int, key: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{seed}:{label}:{key}")


def simulate_user(
    user: SimUser | WorldUser,
    policy: str | Callable[[int], str],
    days: int,
    seed: int,
    candidates: list[Candidate],
    weeks: list[WeekStats],
    label: str | None = None,
    client: str = "full",
    swap_share: float = 0.0,
) -> uuid.UUID:
    """Live `days` days of one synthetic user under a policy (or a policy per day offset),
    reporting to the backend what the client model reports (lab/clients.py). A plain
    SimUser lives in the standard world. With `swap_share` the user swaps disliked tasks
    each morning (lab/swapping.py)."""
    schedule = policy if callable(policy) else (lambda offset, name=policy: name)
    person = user if isinstance(user, WorldUser) else WorldUser(STANDARD, user)
    user_id = sim_user_id(label or str(policy), seed, person.key)
    update_profile(user_id, archetype=person.archetype, current_mode=person.mode)
    by_id = {c.id: c for c in candidates}
    peer: PeerBandit | None = None
    yesterday: set = set()
    hydration_this_week: set = set()
    for offset in range(days):
        day = START + timedelta(days=offset)
        week = weeks[offset // 7]
        if offset % 7 == 0:
            hydration_this_week = set()
        name = schedule(offset)
        if name == PEER and peer is None:
            peer = PeerBandit(sorted({c.arm for c in candidates}), peer_seed(seed, person.key))
        # None keeps the profile's own mode, as before worlds: only mode_difficulty varies it.
        mode = person.day_mode(seed, offset)
        factory = scorer_factory(name, person, offset, peer)
        stored = generate_plan(
            user_id,
            person.archetype,
            day,
            mode=mode,
            candidates=candidates,
            scorer_factory=factory,
        )
        if swap_share and opens_app(client, partial(_unit, seed, person.key, offset)):
            size = sum(1 for item in stored.items if str(item.task_library_id) in by_id)
            stored, swapped = swap_disliked(
                user_id,
                day,
                stored,
                person,
                Day(offset, mode or person.mode, size),
                partial(_unit, seed, person.key, offset),
                swap_share,
                candidates,
                factory,
            )
            week.swaps += swapped
        planned = [
            (item, task)
            for item in current_items(stored)
            if (task := by_id.get(str(item.task_library_id))) is not None
        ]
        lived_day = Day(offset, mode or person.mode, len(planned))
        lived = []
        today = set()
        for item, task in planned:
            p = person.probability(task, item.time_of_day, lived_day)
            done = _unit(seed, person.key, offset, task.id) < p
            lived.append(
                LivedItem(
                    item.id,
                    task,
                    datetime.combine(day, item.scheduled_time, tzinfo=UTC),
                    p,
                    person.contributions(task, item.time_of_day, lived_day),
                    done,
                )
            )
            if item.propensity is not None:
                week.propensity_sum += item.propensity
                week.propensity_items += 1
            week.count_item(person.key, done)
            week.repeats += task.id in yesterday
            today.add(task.id)
            if task.category == "hydration":
                hydration_this_week.add(task.id)
        week.user_days += 1
        yesterday = today
        for outcomes in day_calls(client, lived, partial(_unit, seed, person.key, offset)):
            record_outcomes(user_id, outcomes, now=datetime.combine(day, time(21, 0), tzinfo=UTC))
        if peer is not None:
            peer.learn(*day_rewards(user_id, day))
        if offset % 7 == 6 or offset == days - 1:
            week.users += 1
            week.users_with_hydration_variety += len(hydration_this_week) >= 3
    return user_id


def simulate_users(
    users: int,
    days: int,
    seed: int,
    policies: tuple[str, ...],
    heterogeneity: str,
    keys: range | list[int] | None = None,
    progress: Callable[[str, int], None] | None = None,
    client: str = "full",
    world: str = STANDARD,
    swap_share: float = 0.0,
) -> dict[str, list[WeekStats]]:
    """Simulate the users whose keys are given (all by default) on the current database.

    A user keeps the same id under every client, so the plans' own randomness (seeded by
    user and day) is the same too and clients compare like for like: run one client per
    database (as the workers do), or empty the plans and feedback in between.
    """
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")
    candidates = active_candidates()
    population = make_world_users(world, users, seed, HETEROGENEITY[heterogeneity], candidates)
    chosen = population if keys is None else [population[k] for k in keys]
    results = {}
    for policy in policies:
        weeks = [WeekStats() for _ in range((days + 6) // 7)]
        for done, user in enumerate(chosen, start=1):
            simulate_user(
                user, policy, days, seed, candidates, weeks, client=client, swap_share=swap_share
            )
            if progress:
                progress(policy, done)
        results[policy] = weeks
    return results


def run_simulation(
    users: int = 300,
    days: int = 28,
    seed: int = 7,
    policies: tuple[str, ...] = POLICIES,
    heterogeneity: str = "medium",
    workers: int = 0,
    progress: Callable[[str, int], None] | None = None,
    client: str = "full",
    world: str = STANDARD,
    swap_share: float = 0.0,
) -> SimulationResult:
    """Run every policy over the same users (swapping disliked tasks with `swap_share`).

    workers=0 runs here, on the current database (which needs the task library). With
    workers >= 1 the users are split between that many processes, each with its own
    in-memory SQLite database migrated and seeded from scratch: users never interact, so
    the result is the same, only sooner.
    """
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")
    if world not in WORLDS:
        raise ValueError(f"unknown world {world!r}; expected one of {', '.join(WORLDS)}")
    result = SimulationResult(users, days, seed, heterogeneity, client, world)
    if workers < 1:
        result.weeks = simulate_users(
            users, days, seed, policies, heterogeneity, None, progress, client, world, swap_share
        )
        return result
    parts = in_workers(
        simulation_worker.simulate_slice,
        [
            (users, days, seed, policies, heterogeneity, keys, client, world, swap_share)
            for keys in user_slices(users, workers)
        ],
    )
    for part in parts:
        for policy, weeks in part.items():
            merged = result.weeks.setdefault(policy, [WeekStats() for _ in weeks])
            for total, week in zip(merged, weeks, strict=True):
                total.add(week)
    return result


def user_slices(users: int, workers: int) -> list[list[int]]:
    """Users dealt round-robin to workers (empty slices left out)."""
    return [keys for index in range(workers) if (keys := list(range(users))[index::workers])]


def in_workers(function: Callable, calls: list[tuple]) -> list:
    """function(*args) for each call, one process per call, each on its own fresh database
    (simulation_worker.start); results in call order. The one process pool of the lab."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        len(calls), mp_context=context, initializer=simulation_worker.start
    ) as pool:
        return list(pool.map(function, *zip(*calls, strict=True)))
