"""Learning a preference profile from aggregated outcomes. Pure: counts in, numbers out.

The feedback app aggregates outcomes in SQL (a handful of grouped rows, however many outcomes a
user has) and hands the rows here. Every rate is smoothed toward a prior so one outcome
cannot swing an affinity to 0 or 1: affinity = (completed + k * prior) / (seen + k).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from library.choices import CATEGORIES, DAY_PARTS, Difficulty

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


@dataclass(frozen=True, slots=True)
class OutcomeGroup:
    """Outcomes sharing a category, subcategory, difficulty and part of the day."""

    category: str
    subcategory: str | None
    difficulty: str | None
    time_of_day: str
    seen: int
    completed: int


@dataclass(frozen=True, slots=True)
class OutcomeHistory:
    """What relearning a profile reads from the user's outcomes (aggregated by feedback)."""

    groups: list[OutcomeGroup]  # the learning window
    evidence_groups: list[OutcomeGroup]  # the longer evidence window
    seen: int  # lifetime
    completed: int
    unique_tasks: int  # distinct tasks ever completed
    unique_recent_tasks: int  # ... completed in the learning window
    active_days: int  # distinct scheduled days with any outcome
    completed_days: list[date]  # distinct days with a completion, for streaks


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


def smoothed(completed: float, seen: float, prior: float = PRIOR_MEAN) -> float:
    return round((completed + PRIOR_STRENGTH * prior) / (seen + PRIOR_STRENGTH), 4)


def _tally(groups: Iterable[OutcomeGroup], key) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for group in groups:
        name = key(group)
        if not name:
            continue
        done_seen = counts.setdefault(name, [0, 0])
        done_seen[0] += group.completed
        done_seen[1] += group.seen
    return counts


def learn(
    groups: Sequence[OutcomeGroup],
    unique_tasks_completed: int,
    evidence_groups: Sequence[OutcomeGroup] | None = None,
) -> LearnedProfile:
    """The profile's learned fields from the 14-day window's grouped outcomes.

    `evidence_groups` (the longer EVIDENCE_DAYS window) feed the scorer's raw counts; by
    default the same groups do.
    """
    by_category = _tally(groups, lambda g: g.category)
    by_subcategory = _tally(groups, lambda g: g.subcategory)
    by_difficulty = _tally(groups, lambda g: g.difficulty)
    by_part = _tally(groups, lambda g: g.time_of_day if g.time_of_day in DAY_PARTS else None)
    seen = sum(g.seen for g in groups)
    completed = sum(g.completed for g in groups)

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
    )


def evidence(groups: Sequence[OutcomeGroup]) -> dict:
    """Completed and seen counts per learned dimension: what the adaptive scorer samples."""
    return {
        "overall": [sum(g.completed for g in groups), sum(g.seen for g in groups)],
        "category": _tally(groups, lambda g: g.category),
        "arm": _tally(groups, lambda g: g.subcategory and f"{g.category}/{g.subcategory}"),
        "difficulty": _tally(groups, lambda g: g.difficulty),
        "time_of_day": _tally(
            groups, lambda g: g.time_of_day if g.time_of_day in DAY_PARTS else None
        ),
    }


def streaks(completed_days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days with at least one completed task.

    The current streak survives a today that has no completion yet: it counts back from
    yesterday in that case, since the day is not over.
    """
    days = sorted(set(completed_days))
    longest = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    done = set(days)
    anchor = today if today in done else today - timedelta(days=1)
    current = 0
    while anchor in done:
        current += 1
        anchor -= timedelta(days=1)
    return current, longest


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
