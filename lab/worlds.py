"""Hidden worlds: how a simulated user's chance of doing a planned task is made.

Every world starts from the standard user (`SimUser`): an archetype, an energy mode and a
hidden logit `BASE_LOGIT + ARCHETYPE_SLOPE * (archetype fit - 0.75) + taste[subcategory] +
effect[difficulty] + effect[part of day]`, the tastes spread by the heterogeneity level.
The other worlds are built on the same users (same seed: the same archetypes, modes and
tastes as the standard world at that level, medium unless said otherwise) and change one
thing each, to test what a learner must cope with beyond fixed tastes:

- standard: the model above, unchanged (the lab's results before worlds, bit for bit).
- load: each user has a hidden daily capacity C, uniform in 4..12 tasks. On a day whose
  plan holds n > C library tasks, every task's probability is multiplied by (C / n)^2: an
  overwhelmed user gives up on more than the extra tasks. n is read from the stored plan
  each day, so a planner that shrinks plans is rewarded.
- reversal: from day offset 14 every taste (per subcategory, and per task where a world
  has those) flips sign: what the user loved is now what they avoid.
- injury: movement is loved (+1.5 logits on every movement arm) until day offset 14,
  then collapses (-4 logits) for the rest of the run.
- mode_difficulty: the energy mode varies by day (a fixed coin per user and day: 25% low,
  50% medium, 25% high) and is passed to the planner; intermediate and advanced tasks are
  much harder except on high days (-1.25 / -2.5 logits on low and medium days, +0.25 /
  +0.5 on high days). Every other world keeps the user's fixed mode.
- task_taste: the taste belongs to each task, not to its subcategory (spread as "high",
  2.8 logits), so a subcategory mixes tasks the user loves and tasks they avoid.

Pure: no database. Draws come from seeded generators and the fixed coin `unit`.
"""

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from library.candidates import Candidate
from library.choices import ARCHETYPES, DAY_PARTS, Category, Difficulty, Mode

# Spread (in logits) of a user's personal taste around what the archetype predicts.
HETEROGENEITY = {"low": 0.35, "medium": 1.3, "high": 2.8}
BASE_LOGIT = -0.2
ARCHETYPE_SLOPE = 3.0  # how strongly the archetype fit predicts completion

STANDARD = "standard"
WORLDS = (STANDARD, "load", "reversal", "injury", "mode_difficulty", "task_taste")
# The base spread of every world but the standard one, which takes the level it is run at.
WORLD_HETEROGENEITY = "medium"
SWITCH_OFFSET = 14  # reversal, injury: the first day offset of the changed world
CAPACITY_RANGE = (4, 12)  # load: tasks a day, inclusive
MOVEMENT_LOVED = 1.5  # injury: logits on movement before the switch
MOVEMENT_INJURED = -4.0  # and after it
DAY_MODE_SHARES = ((Mode.LOW, 0.25), (Mode.MEDIUM, 0.5), (Mode.HIGH, 0.25))
# mode_difficulty: logits added by difficulty on the day's mode (beginner: nothing).
DIFFICULTY_BY_MODE = {
    Difficulty.INTERMEDIATE: {Mode.LOW: -1.25, Mode.MEDIUM: -1.25, Mode.HIGH: 0.25},
    Difficulty.ADVANCED: {Mode.LOW: -2.5, Mode.MEDIUM: -2.5, Mode.HIGH: 0.5},
}
TASK_TASTE_SPREAD = HETEROGENEITY["high"]


def unit(*parts: object) -> float:
    """A uniform draw in [0, 1) fixed by its parts: the same coin for every policy."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def sigmoid(x: float) -> float:
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
        return sigmoid(logit)


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


@dataclass(frozen=True, slots=True)
class Day:
    """What a world needs to know about the day a task is lived on."""

    offset: int  # days since the start
    mode: str  # the energy mode the day was planned for
    plan_size: int | None = None  # library tasks in the day's stored plan; None: no overload


@dataclass(frozen=True, slots=True)
class WorldUser:
    """A standard user living in a world, with the world's hidden extras."""

    world: str
    user: SimUser
    capacity: int | None = None  # load: tasks a day before the user is overwhelmed
    task_taste: dict[str, float] | None = None  # task_taste: task id -> taste

    @property
    def key(self) -> int:
        return self.user.key

    @property
    def archetype(self) -> str:
        return self.user.archetype

    @property
    def mode(self) -> str:
        return self.user.mode

    def day_mode(self, seed: int, offset: int) -> str | None:
        """The mode the day is planned for, or None for the profile's own (fixed) mode."""
        if self.world != "mode_difficulty":
            return None
        coin = unit(seed, self.key, offset, "world-mode")
        for mode, share in DAY_MODE_SHARES:
            if coin < share:
                return mode
            coin -= share
        return DAY_MODE_SHARES[-1][0]

    def overload(self, plan_size: int | None) -> float:
        """The factor on every probability of a day with `plan_size` tasks (load world)."""
        if self.capacity is None or plan_size is None or plan_size <= self.capacity:
            return 1.0
        return (self.capacity / plan_size) ** 2

    def contributions(self, cand: Candidate, time_of_day: str, day: Day) -> dict[str, float]:
        """The hidden logit's parts, as the client sees them to name a skip's cause.

        "load" is not a logit part: overload multiplies the probability. It is listed as the
        log of that factor so the mixed client can give the real cause ("no time").
        """
        parts = self.user.contributions(cand, time_of_day)
        if self.world == STANDARD:
            return parts
        if self.task_taste is not None:
            parts["taste"] = self.task_taste.get(cand.id, 0.0)
        if self.world == "reversal" and day.offset >= SWITCH_OFFSET:
            parts["taste"] = -parts["taste"]
        if self.world == "injury" and cand.category == Category.MOVEMENT:
            before = day.offset < SWITCH_OFFSET
            parts["taste"] += MOVEMENT_LOVED if before else MOVEMENT_INJURED
        if self.world == "mode_difficulty":
            parts["difficulty"] += DIFFICULTY_BY_MODE.get(cand.difficulty, {}).get(day.mode, 0.0)
        factor = self.overload(day.plan_size)
        if factor < 1.0:
            parts["load"] = math.log(factor)
        return parts

    def probability(self, cand: Candidate, time_of_day: str, day: Day) -> float:
        if self.world == STANDARD:
            return self.user.probability(cand, time_of_day)
        logit = BASE_LOGIT
        for name, part in self.contributions(cand, time_of_day, day).items():
            if name != "load":
                logit += part
        return sigmoid(logit) * self.overload(day.plan_size)


def make_world_users(
    world: str, count: int, seed: int, spread: float, candidates: Sequence[Candidate]
) -> list[WorldUser]:
    """The standard users of (count, seed, spread), given the world's hidden extras.

    The extras come from their own generator, so the base users are exactly the standard
    world's: a world changes one thing about the same people.
    """
    if world not in WORLDS:
        raise ValueError(f"unknown world {world!r}; expected one of {', '.join(WORLDS)}")
    arms = sorted({c.arm for c in candidates})
    task_ids = sorted(c.id for c in candidates)
    extras = random.Random(f"world:{world}:{seed}")
    people = []
    for user in make_users(count, seed, spread, arms):
        capacity = extras.randint(*CAPACITY_RANGE) if world == "load" else None
        task_taste = (
            {task: extras.gauss(0.0, TASK_TASTE_SPREAD) for task in task_ids}
            if world == "task_taste"
            else None
        )
        people.append(WorldUser(world, user, capacity, task_taste))
    return people


def category_affinity(
    person: WorldUser, candidates: Sequence[Candidate], day: Day
) -> dict[str, float]:
    """Category -> the mean hidden probability of its tasks for this user on this day.

    A task that may go anywhere in the day counts at its mean over the parts of the day.
    Overload is left out: it depends on the plan's size, which this helps to decide.
    """
    totals: dict[str, list[float]] = {}
    plain = Day(day.offset, day.mode)
    for cand in candidates:
        parts = DAY_PARTS if cand.time_of_day not in DAY_PARTS else (cand.time_of_day,)
        p = sum(person.probability(cand, part, plain) for part in parts) / len(parts)
        totals.setdefault(cand.category, []).append(p)
    return {category: sum(ps) / len(ps) for category, ps in totals.items()}
