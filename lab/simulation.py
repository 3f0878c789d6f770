"""A seeded simulation that measures whether the learning works.

Synthetic users have hidden completion probabilities: what their archetype predicts (the
task's archetype fit), plus personal tastes per subcategory, difficulty and part of the day
whose spread is the heterogeneity level. Each policy plans through the real
`generate_plan` and learns through the real `record_outcomes`, on the same users facing the
same coin flips:

- static: the spec's scorer (0.7 archetype + 0.3 mode + jitter), the baseline;
- adaptive: the learned profile (Thompson sampling), the product;
- oracle: knows the hidden probabilities, under the same plan rules and variety limits.

What reaches `record_outcomes` depends on the client model (lab/clients.py): every item
answered (full), only ticks (completions) or the real app's ticks, occasional skips and
ratings and silent days (mixed). The completion rates reported are the users' hidden ones,
whatever the client reported.
"""

import hashlib
import math
import multiprocessing
import random
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import numpy as np

from feedback.services import record_outcomes
from library.candidates import Candidate
from library.choices import ARCHETYPES, DAY_PARTS, Difficulty, Mode
from library.scoring import ScoreBreakdown, mode_adjustment
from library.selectors import active_candidates
from profiles.services import update_profile
from routines.drafting import make_scorer
from routines.services import generate_plan

from . import simulation_worker
from .clients import CLIENTS, LivedItem, day_calls

POLICIES = ("static", "adaptive", "oracle")
# Spread (in logits) of a user's personal taste around what the archetype predicts.
HETEROGENEITY = {"low": 0.35, "medium": 1.3, "high": 2.8}
BASE_LOGIT = -0.2
ARCHETYPE_SLOPE = 3.0  # how strongly the archetype fit predicts completion
START = date(2026, 1, 5)  # a Monday, so weeks line up
_NAMESPACE = uuid.UUID("9b0f8a4e-0c55-4f3c-8d51-2a4f0f6a7e21")


def _unit(*parts: object) -> float:
    """A uniform draw in [0, 1) fixed by its parts: the same coin for every policy."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True, slots=True)
class SimUser:
    key: int
    archetype: str
    mode: str
    taste: dict[str, float]
    difficulty_effect: dict[str, float]
    time_effect: dict[str, float]

    def contributions(self, cand: Candidate, time_of_day: str) -> dict[str, float]:
        """The parts of the hidden logit besides the base, in the order they are summed."""
        fit = cand.archetype_fit.get(self.archetype, 0.5)
        return {
            "archetype": ARCHETYPE_SLOPE * (fit - 0.75),
            "taste": self.taste.get(cand.arm, 0.0),
            "difficulty": self.difficulty_effect.get(cand.difficulty, 0.0),
            "time_of_day": self.time_effect.get(time_of_day, 0.0),
        }

    def probability(self, cand: Candidate, time_of_day: str) -> float:
        logit = BASE_LOGIT
        for part in self.contributions(cand, time_of_day).values():
            logit += part
        return _sigmoid(logit)


def make_users(count: int, seed: int, spread: float, arms: list[str]) -> list[SimUser]:
    rng = random.Random(seed)
    users = []
    for key in range(count):
        users.append(
            SimUser(
                key=key,
                archetype=rng.choice(ARCHETYPES),
                mode=rng.choices(Mode.values, weights=(1, 2, 1))[0],
                taste={arm: rng.gauss(0.0, spread) for arm in arms},
                difficulty_effect={
                    Difficulty.BEGINNER: 0.0,
                    Difficulty.INTERMEDIATE: rng.gauss(-0.1, spread / 2),
                    Difficulty.ADVANCED: rng.gauss(-0.3, spread / 2),
                },
                time_effect={part: rng.gauss(0.0, spread / 2) for part in DAY_PARTS},
            )
        )
    return users


class OracleScorer:
    """Knows the user's hidden probabilities; obeys the same plan rules as the others."""

    policy = "oracle"

    def __init__(self, user: SimUser, mode: str) -> None:
        self.user = user
        self.mode = mode

    def breakdown(self, cand: Candidate, time_of_day: str) -> ScoreBreakdown:
        return ScoreBreakdown(
            archetype_part=0.0,
            mode_part=0.0,
            learned_part=self.user.probability(cand, time_of_day),
            adjustment=mode_adjustment(cand, self.mode),
            noise=0.0,
        )

    def expected(self, cands, time_of_day: str) -> np.ndarray:
        return np.array([self.breakdown(c, time_of_day).total for c in cands])

    def sample(self, cands, time_of_day: str, rng, draws: int) -> np.ndarray:
        return np.repeat(self.expected(cands, time_of_day)[:, None], draws, axis=1)


def scorer_factory(policy: str, user: SimUser):
    if policy == "oracle":
        return lambda archetype, mode, profile, candidates: OracleScorer(user, mode)
    return lambda archetype, mode, profile, candidates: make_scorer(
        archetype, mode, profile, candidates, policy
    )


@dataclass(slots=True)
class WeekStats:
    planned: int = 0
    completed: int = 0
    repeats: int = 0
    users_with_hydration_variety: int = 0
    users: int = 0
    # The logged propensities of the chosen items (how sure the policy was of each pick).
    propensity_sum: float = 0.0
    propensity_items: int = 0

    def add(self, other: "WeekStats") -> None:
        self.planned += other.planned
        self.completed += other.completed
        self.repeats += other.repeats
        self.users_with_hydration_variety += other.users_with_hydration_variety
        self.users += other.users
        self.propensity_sum += other.propensity_sum
        self.propensity_items += other.propensity_items

    @property
    def mean_propensity(self) -> float | None:
        """Mean probability of the picks: the higher, the less the policy explores."""
        return self.propensity_sum / self.propensity_items if self.propensity_items else None

    @property
    def completion_rate(self) -> float:
        return self.completed / self.planned if self.planned else 0.0

    @property
    def repeat_rate(self) -> float:
        return self.repeats / self.planned if self.planned else 0.0

    @property
    def variety_share(self) -> float:
        return self.users_with_hydration_variety / self.users if self.users else 0.0


@dataclass(slots=True)
class SimulationResult:
    users: int
    days: int
    seed: int
    heterogeneity: str
    client: str = "full"
    weeks: dict[str, list[WeekStats]] = field(default_factory=dict)

    @property
    def week_count(self) -> int:
        return max((len(w) for w in self.weeks.values()), default=0)

    def rate(self, policy: str, week: int) -> float | None:
        stats = self.weeks.get(policy)
        return stats[week].completion_rate if stats and week < len(stats) else None

    def lift(self, week: int) -> float | None:
        adaptive, static = self.rate("adaptive", week), self.rate("static", week)
        if adaptive is None or not static:
            return None
        return adaptive / static - 1.0

    def gap_closed(self, week: int) -> float | None:
        static, adaptive, oracle = (self.rate(p, week) for p in POLICIES)
        if None in (static, adaptive, oracle) or oracle - static <= 1e-9:
            return None
        return (adaptive - static) / (oracle - static)


def sim_user_id(label: str, seed: int, key: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{seed}:{label}:{key}")


def simulate_user(
    user: SimUser,
    policy: str | Callable[[int], str],
    days: int,
    seed: int,
    candidates: list[Candidate],
    weeks: list[WeekStats],
    label: str | None = None,
    client: str = "full",
) -> uuid.UUID:
    """Live `days` days of one synthetic user under a policy (or a policy per day offset),
    reporting to the backend what the client model reports (lab/clients.py)."""
    schedule = policy if callable(policy) else (lambda offset, name=policy: name)
    user_id = sim_user_id(label or str(policy), seed, user.key)
    update_profile(user_id, archetype=user.archetype, current_mode=user.mode)
    factories = {name: scorer_factory(name, user) for name in POLICIES}
    by_id = {c.id: c for c in candidates}
    yesterday: set = set()
    hydration_this_week: set = set()
    for offset in range(days):
        day = START + timedelta(days=offset)
        week = weeks[offset // 7]
        if offset % 7 == 0:
            hydration_this_week = set()
        stored = generate_plan(
            user_id,
            user.archetype,
            day,
            candidates=candidates,
            scorer_factory=factories[schedule(offset)],
        )
        lived = []
        today = set()
        for item in stored.items:
            task = by_id.get(str(item.task_library_id))
            if task is None:
                continue
            p = user.probability(task, item.time_of_day)
            done = _unit(seed, user.key, offset, task.id) < p
            lived.append(
                LivedItem(
                    item.id,
                    task,
                    datetime.combine(day, item.scheduled_time, tzinfo=UTC),
                    p,
                    user.contributions(task, item.time_of_day),
                    done,
                )
            )
            if item.propensity is not None:
                week.propensity_sum += item.propensity
                week.propensity_items += 1
            week.planned += 1
            week.completed += done
            week.repeats += task.id in yesterday
            today.add(task.id)
            if task.category == "hydration":
                hydration_this_week.add(task.id)
        yesterday = today
        for outcomes in day_calls(client, lived, partial(_unit, seed, user.key, offset)):
            record_outcomes(user_id, outcomes, now=datetime.combine(day, time(21, 0), tzinfo=UTC))
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
) -> dict[str, list[WeekStats]]:
    """Simulate the users whose keys are given (all by default) on the current database.

    A user keeps the same id under every client, so the plans' own randomness (seeded by
    user and day) is the same too and clients compare like for like: run one client per
    database (as the workers do), or empty the plans and feedback in between.
    """
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")
    candidates = active_candidates()
    arms = sorted({c.arm for c in candidates})
    population = make_users(users, seed, HETEROGENEITY[heterogeneity], arms)
    chosen = population if keys is None else [population[k] for k in keys]
    results = {}
    for policy in policies:
        weeks = [WeekStats() for _ in range((days + 6) // 7)]
        for done, user in enumerate(chosen, start=1):
            simulate_user(user, policy, days, seed, candidates, weeks, client=client)
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
) -> SimulationResult:
    """Run every policy over the same users.

    workers=0 runs here, on the current database (which needs the task library). With
    workers >= 1 the users are split between that many processes, each with its own
    in-memory SQLite database migrated and seeded from scratch: users never interact, so
    the result is the same, only sooner.
    """
    if client not in CLIENTS:
        raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")
    result = SimulationResult(users, days, seed, heterogeneity, client)
    if workers < 1:
        result.weeks = simulate_users(
            users, days, seed, policies, heterogeneity, None, progress, client
        )
        return result
    parts = in_workers(
        simulation_worker.simulate_slice,
        [
            (users, days, seed, policies, heterogeneity, keys, client)
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
