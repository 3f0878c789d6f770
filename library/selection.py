"""Choosing one task for a slot, and the probability of that choice (its propensity).

A policy's choice is the best of one random draw of its scores, mixed with an explicit
exploration rate: with probability EXPLORATION the slot takes a uniformly random candidate.
The probability that the policy picks each candidate is measured by drawing its scores many
times at once (numpy), so propensities cost well under a millisecond a plan:

    propensity(a) = (1 - EXPLORATION) * share of draws a wins + EXPLORATION / K

Every candidate in the slot has a propensity of at least EXPLORATION / K, so logged plans
support off-policy evaluation of other policies (README, "Policy evaluation").
"""

from collections.abc import Sequence
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
