"""Tastes that change: how much evidence older than a week still counts. Pure.

The scorer's evidence spans EVIDENCE_DAYS (28) because a user meets each kind of task only a
few times a fortnight. When a user's tastes change (an injury, a new job, boredom), four
weeks of old outcomes outvote the new week and the engine keeps serving what the user no
longer does. A fixed short window fixes that and costs every stable user (issue 14: +5.1
points after a reversal, -5.8 for stable users). So forgetting is decided per user:

Two tests compare the arms' outcomes in the last FRESH_DAYS with the weeks before, and the
stronger decides (`change`, in standard deviations):

- *prediction*: the fresh week's completions against what the older rates (smoothed)
  predict for the same arms, one z statistic over all arms. It has the power to see a
  change within days, because a user's plans lean on the arms the old evidence favoured,
  and those are exactly the ones a reversal or an injury empties;
- *dispersion*: per arm, a two-proportion z; the squares summed over k arms are about
  chi-square with k degrees of freedom when nothing changed, standardised as
  (X - k) / sqrt(2k). It sees changes that cancel out in the sum (some arms up, some down).

Below CHANGE_FROM older outcomes keep their full weight, above CHANGE_AT they keep
OLD_WEIGHT_AFTER_CHANGE, linearly in between. Stable users rarely cross it (the
simulation's standard worlds, docs/simulation.md); after a reversal it crosses within days.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

FRESH_DAYS = 7
MIN_TRIALS = 3.0  # weighted outcomes an arm needs on each side to be compared
CHANGE_FROM = 3.0
CHANGE_AT = 5.0
OLD_WEIGHT_AFTER_CHANGE = 0.2
PREDICTION_PRIOR = 4.0  # pseudo-outcomes at the user's rate behind each older arm rate


@dataclass(frozen=True, slots=True)
class Forgetting:
    change: float  # standardised evidence that the user's tastes changed (0 = none)
    arms_compared: int
    old_weight: float  # what an outcome before the change point counts for, 0.2..1
    split_weeks: int = 1  # the change point: this many weeks back

    @property
    def changed(self) -> bool:
        return self.old_weight < 1.0


def forgetting(fresh: dict[str, Iterable[float]], older: dict[str, Iterable[float]]) -> Forgetting:
    """Compare arms' [success, trials] in the fresh week with the weeks before."""
    dispersion = _dispersion(fresh, older)
    prediction = _prediction(fresh, older)
    arms = dispersion[1]
    change = max(dispersion[0], abs(prediction))
    return Forgetting(round(change, 3), arms, round(old_weight(change), 3))


def _prediction(fresh: dict, older: dict) -> float:
    """z of the fresh week's completions against the older rates' prediction (0 if none)."""
    old_done = sum(done for done, _ in older.values())
    old_seen = sum(seen for _, seen in older.values())
    if old_seen <= 0:
        return 0.0
    overall = old_done / old_seen
    surprise = variance = 0.0
    for arm, (fresh_done, fresh_seen) in fresh.items():
        old = older.get(arm)
        if old is None or fresh_seen <= 0:
            continue
        # Smoothed toward the user's overall rate: an arm chosen because it looked good on
        # a few outcomes is expected to regress a little, not to keep a lucky streak.
        rate = (old[0] + PREDICTION_PRIOR * overall) / (old[1] + PREDICTION_PRIOR)
        surprise += fresh_done - fresh_seen * rate
        # The older rate is an estimate too: its own noise widens the fresh week's spread.
        variance += fresh_seen * rate * (1.0 - rate) * (1.0 + fresh_seen / (old[1] + 1.0))
    if variance < MIN_TRIALS:
        return 0.0
    return surprise / math.sqrt(variance)


def _dispersion(fresh: dict, older: dict) -> tuple[float, int]:
    """The standardised chi-square of per-arm differences, and the arms compared."""
    chi2 = 0.0
    arms = 0
    for arm, (fresh_done, fresh_seen) in fresh.items():
        old = older.get(arm)
        if old is None:
            continue
        old_done, old_seen = old
        if fresh_seen < MIN_TRIALS or old_seen < MIN_TRIALS:
            continue
        pooled = (fresh_done + old_done) / (fresh_seen + old_seen)
        variance = pooled * (1.0 - pooled) * (1.0 / fresh_seen + 1.0 / old_seen)
        if variance <= 0.0:
            continue  # both sides all done (or all not): no difference to see
        chi2 += (fresh_done / fresh_seen - old_done / old_seen) ** 2 / variance
        arms += 1
    if not arms:
        return 0.0, 0
    return max(0.0, (chi2 - arms) / math.sqrt(2.0 * arms)), arms


def old_weight(change: float) -> float:
    if change <= CHANGE_FROM:
        return 1.0
    if change >= CHANGE_AT:
        return OLD_WEIGHT_AFTER_CHANGE
    share = (change - CHANGE_FROM) / (CHANGE_AT - CHANGE_FROM)
    return 1.0 - share * (1.0 - OLD_WEIGHT_AFTER_CHANGE)
