"""How often the adaptive policy still picks a clearly worse kind of task, day by day.

A slot offers two tasks of equal static fit from two subcategories: one the user completes
60% of the time, one 45%. Each day the user produces OUTCOMES_PER_DAY outcomes, one of them
on each of these subcategories, at exactly those rates; the evidence window keeps the last
28 days. The curve is the probability that the slot goes to the worse task (the real
selection: Thompson draws plus the explicit 5% exploration), with the temperature falling
with lifetime outcomes (today) and with the per-phase temperature it replaced.
"""

from dataclasses import dataclass

import numpy as np

from library.candidates import Candidate
from library.scoring import AdaptiveScorer
from library.selection import EXPLORATION, choice_probabilities
from profiles import learning

ARCHETYPE = "Foundation Builder"
OUTCOMES_PER_DAY = 15
GOOD, BAD = 0.6, 0.45
# The temperature by learning phase before it followed lifetime outcomes.
PHASE_TEMPERATURE = {"discovery": 0.7, "establishment": 0.525, "mastery": 0.35}


def _candidate(cid: str, sub: str) -> Candidate:
    return Candidate(
        id=cid,
        category="movement",
        subcategory=sub,
        name=cid,
        description="",
        duration_minutes=10,
        difficulty="beginner",
        variation_group=f"movement_{sub}",
        time_of_day="any",
        archetype_fit={ARCHETYPE: 0.8},
        mode_fit={"medium": 0.8},
    )


SLOT = [_candidate("good", "walk"), _candidate("bad", "strength")]


@dataclass(frozen=True, slots=True)
class CurvePoint:
    day: int
    settled: float  # P(worse task) with the temperature following lifetime outcomes
    by_phase: float  # ... with the old per-phase temperature


def _evidence(days: int) -> dict:
    window = min(days, learning.EVIDENCE_DAYS)
    per_arm = window
    seen = OUTCOMES_PER_DAY * window
    done = round(seen * (GOOD + BAD) / 2)
    return {
        "overall": [done, seen],
        "category": {"movement": [round(per_arm * (GOOD + BAD)), 2 * per_arm]},
        "arm": {
            "movement/walk": [round(per_arm * GOOD), per_arm],
            "movement/strength": [round(per_arm * BAD), per_arm],
        },
    }


def _phase(days: int) -> str:
    outcomes = OUTCOMES_PER_DAY * days
    confidence = min(1.0, outcomes / learning.CONFIDENCE_AT)
    return learning.next_phase("discovery", outcomes, days, confidence)


def worse_pick_share(scorer: AdaptiveScorer, draws: int = 20_000) -> float:
    rng = np.random.default_rng(0)
    probabilities, _ = choice_probabilities(scorer, SLOT, "morning", rng, EXPLORATION, draws)
    return float(probabilities[1])


def exploration_curve(days: tuple[int, ...] = (1, 3, 7, 14, 21, 28, 42, 56, 90)) -> list:
    points = []
    for day in days:
        evidence = _evidence(day)
        outcomes = OUTCOMES_PER_DAY * day
        settled = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, outcomes, SLOT)
        by_phase = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, outcomes, SLOT)
        by_phase.temperature = PHASE_TEMPERATURE[_phase(day)]
        points.append(CurvePoint(day, worse_pick_share(settled), worse_pick_share(by_phase)))
    return points


def format_curve(points: list[CurvePoint]) -> str:
    lines = [
        f"P(the {BAD:.0%} task wins a slot against the {GOOD:.0%} one); "
        f"explicit floor {EXPLORATION / len(SLOT):.1%}",
        "day  outcomes  temperature_by_outcomes  by_phase (before)",
    ]
    for p in points:
        lines.append(
            f"{p.day:>3}  {OUTCOMES_PER_DAY * p.day:>8}  {p.settled:>23.1%}  {p.by_phase:>17.1%}"
        )
    return "\n".join(lines)
