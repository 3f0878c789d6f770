"""Choosing one task for a slot, and the probability of that choice (its propensity).

A policy's choice is the best of one random draw of its scores, mixed with an explicit
exploration rate: with probability EXPLORATION the slot takes a uniformly random candidate.
The probability that the policy picks each candidate is measured by drawing its scores many
times at once (numpy), so propensities cost well under a millisecond a plan:

    propensity(a) = (1 - EXPLORATION) * share of draws a wins + EXPLORATION / K

Every candidate in the slot has a propensity of at least EXPLORATION / K, so logged plans
support off-policy evaluation of other policies (README, "Policy evaluation").
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .candidates import Candidate
from .scoring import Scorer

EXPLORATION = 0.05
PROPENSITY_DRAWS = 256
# A slot draws among at most this many candidates: the best by expected score. Keeps a
# plan's cost and its logged propensities bounded however large the library grows.
SHORTLIST = 16


def shortlist(
    scorer: Scorer, candidates: Sequence[Candidate], time_of_day: str, size: int = SHORTLIST
) -> list[Candidate]:
    if len(candidates) <= size:
        return list(candidates)
    expected = scorer.expected(candidates, time_of_day)
    best = np.argsort(-expected, kind="stable")[:size]
    return [candidates[i] for i in sorted(best)]


@dataclass(frozen=True, slots=True)
class Choice:
    index: int
    propensities: np.ndarray  # one per candidate, summing to 1

    @property
    def propensity(self) -> float:
        return float(self.propensities[self.index])


def choice_probabilities(
    scorer: Scorer,
    candidates: Sequence[Candidate],
    time_of_day: str,
    rng: np.random.Generator,
    exploration: float = EXPLORATION,
    draws: int = PROPENSITY_DRAWS,
) -> tuple[np.ndarray, np.ndarray]:
    """(probability of each candidate, the winner of every draw)."""
    scores = scorer.sample(candidates, time_of_day, rng, draws)
    winners = scores.argmax(axis=0)
    share = np.bincount(winners, minlength=len(candidates)) / draws
    return (1.0 - exploration) * share + exploration / len(candidates), winners


def choose(
    scorer: Scorer,
    candidates: Sequence[Candidate],
    time_of_day: str,
    rng: np.random.Generator,
    exploration: float = EXPLORATION,
    draws: int = PROPENSITY_DRAWS,
) -> Choice:
    """Pick a candidate the way the policy does and report how likely that pick was.

    The exploiting choice is the winner of the first draw, itself one of the draws that
    measure the shares, so the chosen candidate's propensity is never zero.
    """
    probabilities, winners = choice_probabilities(
        scorer, candidates, time_of_day, rng, exploration, draws
    )
    explore = rng.random() < exploration
    index = int(rng.integers(len(candidates))) if explore else int(winners[0])
    return Choice(index, probabilities)


def probabilities_with_blocked_groups(
    scorer: Scorer,
    candidates: Sequence[Candidate],
    time_of_day: str,
    rng: np.random.Generator,
    blocked: Mapping[str, float],
    exploration: float = EXPLORATION,
    draws: int = PROPENSITY_DRAWS,
) -> tuple[np.ndarray, dict[str, float]]:
    """A policy's probabilities for a slot when each variation group may be unavailable.

    The planner takes at most one task per variation group a day (while another group is
    left), so what a policy picks in a later slot depends on what it picked earlier.
    `blocked` is the probability that each group is unavailable. Each draw blocks every
    group with its probability (independently; if that blocks everything, the whole pool
    competes, as in the planner), the policy picks the best open candidate (or, exploring,
    any open one), and the result is averaged over draws.

    Returns the slot's probabilities and, per group of the slot, the probability that it
    is used once the slot is filled (blocked before, or picked now): with `blocked` set to
    the policy's own use so far, that carries its use of groups through a day.
    """
    groups = SlotGroups(candidates)
    uniforms, scores = groups.draw(scorer, time_of_day, rng, draws)
    return groups.probabilities(uniforms, scores, blocked, exploration)


class SlotGroups:
    """A slot's candidates by variation group, and the blocked-group Monte-Carlo over them.

    Split from the draws so that off-policy replay (feedback/evaluation.py), which asks for
    the same slot under several blocking patterns with one seed, draws the random numbers
    once and reuses them: the same numbers the one-call function above would draw.
    """

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = candidates
        self.groups = sorted({c.variation_group for c in candidates})
        index = {group: i for i, group in enumerate(self.groups)}
        self.member = np.array([index[c.variation_group] for c in candidates])
        # groups x candidates: sums candidates' shares into their groups in one product.
        self.one_hot = (self.member[None, :] == np.arange(len(self.groups))[:, None]).astype(float)

    def draw(
        self, scorer: Scorer, time_of_day: str, rng: np.random.Generator, draws: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """(uniforms that block groups, groups x draws; scores, candidates x draws)."""
        uniforms = rng.random((len(self.groups), draws))
        return uniforms, scorer.sample(self.candidates, time_of_day, rng, draws)

    def probabilities(
        self,
        uniforms: np.ndarray,
        scores: np.ndarray,
        blocked: Mapping[str, float],
        exploration: float = EXPLORATION,
    ) -> tuple[np.ndarray, dict[str, float]]:
        draws = scores.shape[1]
        chance = np.array([blocked.get(group, 0.0) for group in self.groups])
        if not chance.any():
            return self._unblocked(scores, exploration)
        blocked_groups = uniforms < chance[:, None]
        closed = blocked_groups[self.member]  # candidates x draws
        everything_blocked = closed.all(axis=0)
        closed[:, everything_blocked] = False
        winners = np.where(closed, -np.inf, scores).argmax(axis=0)
        open_count = (~closed).sum(axis=0)
        chosen = np.zeros(scores.shape)
        chosen[winners, np.arange(draws)] = 1.0 - exploration
        chosen += exploration * (~closed) / open_count
        used = np.where(blocked_groups, 1.0, self.one_hot @ chosen).mean(axis=1)
        return chosen.mean(axis=1), dict(zip(self.groups, used.tolist(), strict=True))

    def _unblocked(
        self, scores: np.ndarray, exploration: float
    ) -> tuple[np.ndarray, dict[str, float]]:
        """Nothing blocked (a day's first slot, a policy replayed on its own logs): every
        draw is open to all, so the shares are counts of wins; no draws-wide masks."""
        count, draws = scores.shape
        wins = np.bincount(scores.argmax(axis=0), minlength=count) / draws
        probabilities = (1.0 - exploration) * wins + exploration / count
        used = self.one_hot @ probabilities
        return probabilities, dict(zip(self.groups, used.tolist(), strict=True))
