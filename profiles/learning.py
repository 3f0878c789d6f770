"""Learning a preference profile from outcomes. Pure: grouped outcomes in, numbers out.

The feedback app reads outcomes through its one outcome model (feedback/outcomes.py) and
hands them here grouped: a handful of rows, however many outcomes a user has. An outcome
is completed, skipped (explicitly) or unanswered (no word on a closed day on which the user
was active); items the user never saw teach nothing and never arrive here.

Each outcome teaches each learned dimension (category, arm, difficulty, part of the day,
duration) with a weight (`teaching`): an explicit skip's reason says which dimension it is
about, an unanswered item is a weaker negative than an explicit skip, a star rating scales
a completion's reward, and the mode of the day discounts what a failed hard task says about
difficulty. Rates are smoothed toward a prior so one outcome cannot swing an affinity to
0 or 1: affinity = (success + k * prior) / (trials + k).
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache

from library.choices import CATEGORIES, DAY_PARTS, Difficulty, Mode

from .capacity import learn_capacity
from .forgetting import Forgetting, forgetting

WINDOW_DAYS = 14  # spec 1.4: the profile is recomputed from the last 14 days
# The adaptive scorer's evidence looks further back: a user sees each subcategory only a
# few times a fortnight, too little to tell tastes apart (README, "Learning").
EVIDENCE_DAYS = 28
PRIOR_MEAN = 0.5
PRIOR_STRENGTH = 4.0  # pseudo-outcomes: one completion moves 0.5 to 0.6, not to 1.0
CONFIDENCE_AT = 50  # spec: profile_confidence = min(1, n / 50)
VARIETY_AT = 20  # spec: 20+ unique tasks = maximum variety seeking

# Learning phases move forward only. Thresholds: lifetime outcomes and active days.
ESTABLISHMENT_AFTER = {"outcomes": 30, "active_days": 5}
MASTERY_AFTER = {"outcomes": 150, "active_days": 21, "confidence": 1.0}

COMPLEXITY_WEIGHT = {Difficulty.INTERMEDIATE: 1.0, Difficulty.ADVANCED: 2.0}

COMPLETED, SKIPPED, UNANSWERED = "completed", "skipped", "unanswered"
# The user swapped the task for another before the day was over ("Not this one").
SWAPPED = "swapped"
STATES = (COMPLETED, SKIPPED, UNANSWERED, SWAPPED)
DIMENSIONS = ("category", "arm", "difficulty", "time_of_day", "duration")

# Silence on an active day is a negative, but a weaker one than an explicit skip: the user
# may have done the task and not ticked it (Hu, Koren & Volinsky 2008: implicit negatives
# carry less confidence). Measured in the simulation (docs/simulation.md).
UNANSWERED_WEIGHT = 0.8
# What an explicit skip teaches each dimension, by its reason. The reason names what was
# wrong; the other dimensions learn little from it.
SKIP_TEACHES = {
    "too_hard": {
        "difficulty": 2.0,
        "category": 0.5,
        "arm": 0.5,
        "time_of_day": 0.5,
        "duration": 0.5,
    },
    "no_time": {
        "duration": 2.0,
        "category": 0.5,
        "arm": 0.5,
        "difficulty": 0.5,
        "time_of_day": 1.0,
    },
    "not_interested": {
        "arm": 2.0,
        "category": 1.5,
        "difficulty": 0.5,
        "time_of_day": 0.5,
        "duration": 0.5,
    },
    "forgot": {"time_of_day": 1.0, "category": 0.5, "arm": 0.5, "difficulty": 0.5, "duration": 0.5},
}
# A swap is the clearest refusal the app can send: the user saw the task and said no to it
# before the day was over. It teaches like a "not interested" skip: the kind of task (the
# arm, where this user's evidence about the task lives) twice, its category one and a
# half times. The task itself rests through its rotation window, as a planned task does:
# the swapped item stays in the plan's history, which rotation reads.
SWAP_TEACHES = SKIP_TEACHES["not_interested"]
# A completion rated 1 star is worth this much of a success for the kind of task; 5 stars
# is a full success. Ratings are a second, sparser reward: they only scale completions.
ONE_STAR_REWARD = 0.6
# On a low-energy day a failed intermediate or advanced task says less about difficulty
# tolerance: the day explains part of it.
LOW_MODE_DIFFICULTY_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    """Outcomes alike in what they teach: the task's kind, the day's part and mode, what
    happened (`state`), and the skip reason or rating that came with it."""

    category: str
    subcategory: str | None
    difficulty: str | None
    time_of_day: str
    state: str
    count: int
    skip_reason: str = ""
    rating: int | None = None
    mode: str = ""
    duration: str | None = None  # "short" or "long"; None for a task no longer in the library
    # Weeks since the outcome's day: 0 = the last 7 days, 1 = the 7 before, 2 = older.
    weeks_ago: int = 2

    @property
    def arm(self) -> str | None:
        return self.subcategory and f"{self.category}/{self.subcategory}"


@dataclass(frozen=True, slots=True)
class StreakState:
    """Streaks over days already folded into lifetime totals (feedback/totals.py): the last
    folded day with a completion, the run of consecutive days ending on it, and the longest
    run so far. Enough to continue the count without reading the folded days again."""

    last_day: date | None = None
    run: int = 0
    longest: int = 0


@dataclass(frozen=True, slots=True)
class OutcomeHistory:
    """What relearning a profile reads from the user's outcomes (the outcome model)."""

    groups: list[OutcomeGroup]  # the learning window
    evidence_groups: list[OutcomeGroup]  # the longer evidence window
    seen: int  # lifetime outcomes (completed + skipped + unanswered)
    completed: int
    unique_tasks: int  # distinct tasks ever completed
    unique_recent_tasks: int  # ... completed in the learning window
    active_days: int  # distinct days with any feedback
    completed_days: list[date]  # distinct days with a completion, for streaks
    active_days_recent: int = 0  # ... days with any feedback in the learning window
    # Streaks over the days already folded into lifetime totals; `completed_days` then holds
    # only the later days (feedback/totals.py).
    streak_before: StreakState = StreakState()


@dataclass(slots=True)
class LearnedProfile:
    category_affinity: dict[str, float]
    subcategory_affinity: dict[str, float]
    time_of_day_performance: dict[str, float]
    complexity_tolerance: float
    variety_seeking_score: float
    completion_rate: float
    profile_confidence: float
    evidence: dict = field(default_factory=dict)
    daily_capacity: int | None = None  # tasks a day that suit the user (profiles.capacity)


def smoothed(completed: float, seen: float, prior: float = PRIOR_MEAN) -> float:
    return round((completed + PRIOR_STRENGTH * prior) / (seen + PRIOR_STRENGTH), 4)


def rating_reward(rating: int | None) -> float:
    """A completion's reward for the kind of task: 1.0 unrated, ONE_STAR_REWARD..1.0 rated."""
    if rating is None:
        return 1.0
    return ONE_STAR_REWARD + (1.0 - ONE_STAR_REWARD) * (min(5, max(1, rating)) - 1) / 4


@lru_cache(maxsize=8192)
def teaching(group: OutcomeGroup) -> dict[str, tuple[float, float]]:
    """(success, trials) that one group adds to each learned dimension.

    Cached: every tally asks for each group's teaching, and the nightly run relearns many
    users whose groups repeat. Callers must not mutate the returned dict."""
    n = group.count
    if group.state == COMPLETED:
        reward = rating_reward(group.rating)
        return {
            "category": (n * reward, n),
            "arm": (n * reward, n),
            "difficulty": (n, n),
            "time_of_day": (n, n),
            "duration": (n, n),
        }
    if group.state == UNANSWERED:
        weights = dict.fromkeys(DIMENSIONS, UNANSWERED_WEIGHT)
    elif group.state == SWAPPED:
        weights = dict(SWAP_TEACHES)
    else:
        weights = dict(SKIP_TEACHES.get(group.skip_reason, dict.fromkeys(DIMENSIONS, 1.0)))
    if group.mode == Mode.LOW and group.difficulty in COMPLEXITY_WEIGHT:
        weights["difficulty"] *= LOW_MODE_DIFFICULTY_WEIGHT
    return {dim: (0.0, n * weight) for dim, weight in weights.items()}


def _key(group: OutcomeGroup, dimension: str) -> str | None:
    if dimension == "category":
        return group.category or None
    if dimension == "arm":
        return group.arm
    if dimension == "time_of_day":
        return group.time_of_day if group.time_of_day in DAY_PARTS else None
    return getattr(group, dimension)


GroupWeight = Callable[[OutcomeGroup], float]


def tally(
    groups: Iterable[OutcomeGroup], dimension: str, key=None, weight: GroupWeight | None = None
) -> dict[str, list[float]]:
    """[success, trials] per value of a dimension (or of `key(group)`), weighted by what
    each outcome teaches and, when given, by `weight(group)` (how much its age counts)."""
    counts: dict[str, list[float]] = {}
    for group in groups:
        name = key(group) if key else _key(group, dimension)
        if not name:
            continue
        success, trials = teaching(group)[dimension]
        share = weight(group) if weight else 1.0
        cell = counts.setdefault(name, [0.0, 0.0])
        cell[0] += success * share
        cell[1] += trials * share
    return counts


def plain_counts(groups: Iterable[OutcomeGroup]) -> tuple[int, int]:
    """(completed, outcomes): what the user did, unweighted, as people count it."""
    completed = seen = 0
    for group in groups:
        seen += group.count
        completed += group.count if group.state == COMPLETED else 0
    return completed, seen


def learn(
    groups: Sequence[OutcomeGroup],
    unique_tasks_completed: int,
    evidence_groups: Sequence[OutcomeGroup] | None = None,
    active_days: int = 0,
) -> LearnedProfile:
    """The profile's learned fields from the 14-day window's grouped outcomes.

    `evidence_groups` (the longer EVIDENCE_DAYS window) feed the scorer's evidence; by
    default the same groups do. `active_days` (days with feedback in the window) sizes
    the plan (profiles.capacity).
    """
    by_category = tally(groups, "category")
    by_subcategory = tally(groups, "arm", key=lambda g: g.subcategory)
    by_difficulty = tally(groups, "difficulty")
    by_part = tally(groups, "time_of_day")
    completed, seen = plain_counts(groups)
    weighted_done = sum(
        COMPLEXITY_WEIGHT.get(name, 0.0) * counts[0] for name, counts in by_difficulty.items()
    )
    weighted_seen = sum(
        COMPLEXITY_WEIGHT.get(name, 0.0) * counts[1] for name, counts in by_difficulty.items()
    )
    return LearnedProfile(
        category_affinity={cat: smoothed(*by_category.get(cat, (0, 0))) for cat in CATEGORIES},
        subcategory_affinity={
            name: smoothed(d, n) for name, (d, n) in sorted(by_subcategory.items())
        },
        time_of_day_performance={part: smoothed(*by_part.get(part, (0, 0))) for part in DAY_PARTS},
        # How well the user finishes harder tasks (advanced counts double), smoothed.
        complexity_tolerance=smoothed(weighted_done, weighted_seen),
        variety_seeking_score=round(min(1.0, unique_tasks_completed / VARIETY_AT), 4),
        completion_rate=round(completed / seen, 4) if seen else 0.0,
        profile_confidence=round(min(1.0, seen / CONFIDENCE_AT), 4),
        evidence=evidence(groups if evidence_groups is None else evidence_groups),
        daily_capacity=learn_capacity(
            completed,
            sum(g.count for g in groups if g.state == SKIPPED and g.skip_reason == "no_time"),
            active_days,
            seen,
        ),
    )


def _rounded(counts: dict[str, list[float]]) -> dict[str, list[float]]:
    return {name: [round(s, 3), round(n, 3)] for name, (s, n) in sorted(counts.items())}


def forgetting_for(groups: Sequence[OutcomeGroup]) -> Forgetting:
    """Tested at two change points, one and two weeks back; the stronger change decides.
    A change two weeks back stays visible after the week that follows it (the recent week
    then agrees with the one before; both differ from the older ones)."""
    splits = [
        replace(
            forgetting(
                tally([g for g in groups if g.weeks_ago < weeks], "arm"),
                tally([g for g in groups if g.weeks_ago >= weeks], "arm"),
            ),
            split_weeks=weeks,
        )
        for weeks in (1, 2)
    ]
    return max(splits, key=lambda f: (f.change, -f.split_weeks))


def evidence(groups: Sequence[OutcomeGroup]) -> dict:
    """What the adaptive scorer samples, per learned dimension.

    `overall`, `category` and `arm` hold [success, trials]. The modifiers (`difficulty`,
    `time_of_day`, `duration`, and `difficulty_by_mode`, keyed "mode/difficulty") hold
    [success, expected]: expected is what the user's arm rates predict for those same
    outcomes, so a modifier says only what the arms do not (one backfitting step).
    Multiplying a raw difficulty rate onto the arm's posterior would count the same
    outcomes twice. When the user's tastes changed, outcomes older than a week count for
    less everywhere (`forgetting`, profiles/forgetting.py).
    """
    change = forgetting_for(groups)

    def age(group: OutcomeGroup) -> float:
        return 1.0 if group.weeks_ago < change.split_weeks else change.old_weight

    overall = [0.0, 0.0]
    for group in groups:
        weight = (1.0 if group.state != UNANSWERED else UNANSWERED_WEIGHT) * age(group)
        overall[0] += group.count * age(group) if group.state == COMPLETED else 0
        overall[1] += group.count * weight
    rate = (overall[0] + PRIOR_STRENGTH * PRIOR_MEAN) / (overall[1] + PRIOR_STRENGTH)
    arms = tally(groups, "arm", weight=age)
    categories = tally(groups, "category", weight=age)

    def predicted(group: OutcomeGroup) -> float:
        cell = arms.get(group.arm) or categories.get(group.category)
        if not cell:
            return rate
        return (cell[0] + PRIOR_STRENGTH * rate) / (cell[1] + PRIOR_STRENGTH)

    keys = {
        "difficulty": lambda g: g.difficulty,
        "time_of_day": lambda g: _key(g, "time_of_day"),
        "duration": lambda g: g.duration,
        "difficulty_by_mode": lambda g: g.mode and g.difficulty and f"{g.mode}/{g.difficulty}",
    }
    modifiers: dict[str, dict[str, list[float]]] = {}
    for name, key in keys.items():
        dimension = "difficulty" if name == "difficulty_by_mode" else name
        cells: dict[str, list[float]] = {}
        for group in groups:
            value = key(group)
            if not value:
                continue
            success, trials = teaching(group)[dimension]
            cell = cells.setdefault(value, [0.0, 0.0])
            cell[0] += success * age(group)
            cell[1] += trials * predicted(group) * age(group)
        modifiers[name] = _rounded(cells)
    return {
        "version": 3,
        "overall": [round(overall[0], 3), round(overall[1], 3)],
        "category": _rounded(categories),
        "arm": _rounded(arms),
        **modifiers,
        "forgetting": {
            "change": change.change,
            "arms_compared": change.arms_compared,
            "old_weight": change.old_weight,
            "after_weeks": change.split_weeks,
        },
    }


def extend_streak(state: StreakState, completed_days: Iterable[date]) -> StreakState:
    """The state after these days (all later than `state.last_day`) are folded in."""
    last, run, longest = state.last_day, state.run, state.longest
    for day in sorted(set(completed_days)):
        if last is not None and day <= last:
            continue
        run = run + 1 if last is not None and day - last == timedelta(days=1) else 1
        longest = max(longest, run)
        last = day
    return StreakState(last, run, longest)


def streaks(
    completed_days: Iterable[date], today: date, before: StreakState = StreakState()
) -> tuple[int, int]:
    """(current, longest) runs of consecutive days with at least one completed task.

    `completed_days` are the days after `before.last_day` (all of them when nothing is
    folded). The current streak survives a today that has no completion yet: it counts
    back from yesterday in that case, since the day is not over.
    """
    days = sorted(day for day in set(completed_days) if day <= today)
    state = extend_streak(before, days)
    anchor = today if state.last_day == today else today - timedelta(days=1)
    current = state.run if state.last_day == anchor else 0
    return current, state.longest


def next_phase(current: str, outcomes: int, active_days: int, confidence: float) -> str:
    """discovery -> establishment -> mastery, never backwards."""
    phase = current
    if phase == "discovery" and (
        outcomes >= ESTABLISHMENT_AFTER["outcomes"]
        and active_days >= ESTABLISHMENT_AFTER["active_days"]
    ):
        phase = "establishment"
    if phase == "establishment" and (
        outcomes >= MASTERY_AFTER["outcomes"]
        and active_days >= MASTERY_AFTER["active_days"]
        and confidence >= MASTERY_AFTER["confidence"]
    ):
        phase = "mastery"
    return phase
