"""The peer policy: a maintained bandit library beside the engine's own learner.

Per simulated user, MABWiser's `MAB(arms, LearningPolicy.ThompsonSampling())` with the
library's defaults (a Beta(1, 1) prior on each arm, rewards 0/1). Its arms are the engine's
learning unit, the subcategory (`Candidate.arm`), so it answers the same question as the
adaptive scorer with textbook Thompson sampling and nothing else: no archetype prior, no
pooling across a category, no difficulty or time-of-day modifiers, no tempering.

It plugs in as a scorer, so it chooses among the same shortlisted candidates under the same
plan rules, and like every policy in the lab (the oracle too) it adds the mode's
adjustment, which is a plan rule (low-energy days lean to easy, short tasks). Tasks of one
arm share the arm's draw; the static fit, scaled down to TIE_BREAK, orders them.

It learns after each simulated day from that day's outcomes as the outcome model defines
them (`feedback.outcomes.item_outcomes`, read once the day is over): completed 1, skipped
or unanswered on a day the user sent any feedback 0, and nothing from a day without any
feedback. So it sees what the nightly relearning would, whatever the client reported.
"""

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
from mabwiser.mab import MAB, LearningPolicy

from feedback.outcomes import item_outcomes
from library.candidates import Candidate
from library.scoring import (
    ARCHETYPE_WEIGHT,
    MODE_WEIGHT,
    ScoreBreakdown,
    mode_adjustment,
    static_fit,
)

from .worlds import unit

PEER = "peer"
PEER_POLICY = "peer-mabwiser-ts"  # logged on plan items, apart from the engine's policies
# Weight of the static fit inside an arm: small enough never to outweigh a real difference
# between two arms' draws, large enough to order the tasks of one arm.
TIE_BREAK = 1e-3


class PeerBandit:
    """One user's MABWiser Thompson sampler over the library's arms."""

    def __init__(self, arms: Sequence[str], seed: int) -> None:
        self.arms = list(arms)
        self.mab = MAB(self.arms, LearningPolicy.ThompsonSampling(), seed=seed)
        # MABWiser predicts only after a fit; an empty one leaves every arm at Beta(1, 1).
        self.mab.fit([], [])
        # The same counts MABWiser keeps, for the posterior mean (its API exposes only draws).
        self.successes = dict.fromkeys(self.arms, 0)
        self.trials = dict.fromkeys(self.arms, 0)

    def learn(self, decisions: Sequence[str], rewards: Sequence[int]) -> None:
        """One day's outcomes: arm and reward (1 completed, 0 not) of each outcome."""
        known = [(arm, r) for arm, r in zip(decisions, rewards, strict=True) if arm in self.trials]
        if not known:
            return
        arms, values = zip(*known, strict=True)
        self.mab.partial_fit(list(arms), list(values))
        for arm, reward in known:
            self.successes[arm] += reward
            self.trials[arm] += 1

    def mean(self, arm: str) -> float:
        """The posterior mean of the arm's completion probability, Beta(1 + s, 1 + f)."""
        return (1 + self.successes.get(arm, 0)) / (2 + self.trials.get(arm, 0))

    def draws(self, arms: Sequence[str], count: int) -> np.ndarray:
        """`count` Thompson draws of each arm from MABWiser, shape (len(arms), count)."""
        # A context-free bandit given `count` contexts returns `count` independent draws.
        sampled = self.mab.predict_expectations(np.zeros((count, 1)))
        if isinstance(sampled, dict):
            sampled = [sampled]
        return np.array([[draw[arm] for draw in sampled] for arm in arms], dtype=float)


def peer_seed(seed: int, key: int) -> int:
    """Each user's bandit draws its own random stream (MABWiser's default seed is shared)."""
    return int(unit(seed, key, "peer-bandit") * 2**31)


class PeerScorer:
    """The Scorer protocol over a PeerBandit, for one plan."""

    policy = PEER_POLICY
    # No opinion on the day's shape: the mode's plan size and the default category layout.
    daily_capacity: int | None = None
    category_affinity: dict[str, float] | None = None

    def __init__(self, bandit: PeerBandit, archetype: str, mode: str) -> None:
        self.bandit = bandit
        self.archetype = archetype
        self.mode = mode

    def _fixed(self, cands: Sequence[Candidate]) -> np.ndarray:
        return np.array(
            [
                mode_adjustment(c, self.mode) + TIE_BREAK * static_fit(c, self.archetype, self.mode)
                for c in cands
            ]
        )

    def expected(self, cands: Sequence[Candidate], time_of_day: str) -> np.ndarray:
        return np.array([self.bandit.mean(c.arm) for c in cands]) + self._fixed(cands)

    def sample(
        self, cands: Sequence[Candidate], time_of_day: str, rng: np.random.Generator, draws: int
    ) -> np.ndarray:
        arms = sorted({c.arm for c in cands})
        by_arm = dict(zip(arms, self.bandit.draws(arms, draws), strict=True))
        return np.array([by_arm[c.arm] for c in cands]) + self._fixed(cands)[:, None]

    def breakdown(self, cand: Candidate, time_of_day: str) -> ScoreBreakdown:
        archetype_fit = cand.archetype_fit.get(self.archetype, 0.5)
        return ScoreBreakdown(
            archetype_part=TIE_BREAK * ARCHETYPE_WEIGHT * archetype_fit,
            mode_part=TIE_BREAK * MODE_WEIGHT * cand.mode_fit.get(self.mode, 0.5),
            learned_part=self.bandit.mean(cand.arm),
            adjustment=mode_adjustment(cand, self.mode),
            noise=0.0,
        )


def day_rewards(user_id, day: date) -> tuple[list[str], list[int]]:
    """The arms and rewards of the user's outcomes on `day`, read as of the next day."""
    decisions, rewards = [], []
    for outcome in item_outcomes([user_id], day, day + timedelta(days=1)):
        if outcome.day != day:
            continue
        group = outcome.group
        decisions.append(f"{group.category}/{group.subcategory or group.category}")
        rewards.append(int(outcome.reward))
    return decisions, rewards
