"""The oracle policy: knows the world's hidden probabilities for the day, and obeys the same
plan rules as every other policy (slots, modes, rotation, variety)."""

from collections.abc import Sequence

import numpy as np

from library.candidates import Candidate
from library.scoring import ScoreBreakdown, mode_adjustment

from .worlds import Day, WorldUser, category_affinity


class OracleScorer:
    """Scores a task by the user's hidden probability of doing it on this day.

    It also tells the planner what it knows about the day's shape: `daily_capacity` (the
    hidden capacity in the load world, else None: the mode's plan size) and
    `category_affinity` (each category's mean hidden probability). The planner reads both
    with getattr, so scorers without them keep the default layout.
    """

    policy = "oracle"

    def __init__(
        self, person: WorldUser, mode: str, offset: int = 0, candidates: Sequence[Candidate] = ()
    ) -> None:
        self.person = person
        self.mode = mode
        # No plan size: overload scales a whole day alike, so it never changes a choice.
        self.day = Day(offset, mode)
        self.daily_capacity: int | None = person.capacity
        self.category_affinity: dict[str, float] | None = (
            category_affinity(person, candidates, self.day) if candidates else None
        )

    def breakdown(self, cand: Candidate, time_of_day: str) -> ScoreBreakdown:
        return ScoreBreakdown(
            archetype_part=0.0,
            mode_part=0.0,
            learned_part=self.person.probability(cand, time_of_day, self.day),
            adjustment=mode_adjustment(cand, self.mode),
            noise=0.0,
        )

    def expected(self, cands, time_of_day: str) -> np.ndarray:
        return np.array([self.breakdown(c, time_of_day).total for c in cands])

    def sample(self, cands, time_of_day: str, rng, draws: int) -> np.ndarray:
        return np.repeat(self.expected(cands, time_of_day)[:, None], draws, axis=1)
