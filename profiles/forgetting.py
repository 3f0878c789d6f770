"""Tastes that change: how much evidence older than a week still counts. Pure.

The scorer's evidence spans EVIDENCE_DAYS (28) because a user meets each kind of task only a
few times a fortnight. When a user's tastes change (an injury, a new job, boredom), four
weeks of old outcomes outvote the new week and the engine keeps serving what the user no
longer does. A fixed short window fixes that and costs every stable user (issue 14: +5.1
points after a reversal, -5.8 for stable users). So forgetting is decided per user:

The arms' completion rates in the last FRESH_DAYS are compared with their rates before.
Each arm with enough outcomes on both sides gives a two-proportion z statistic; their
squares summed over k arms are about chi-square with k degrees of freedom when nothing
changed. The standardised excess, (X - k) / sqrt(2k), is the evidence of change: below
CHANGE_FROM older outcomes keep their full weight, above CHANGE_AT they keep
OLD_WEIGHT_AFTER_CHANGE, linearly in between. Stable users almost never cross it (the
simulation's standard worlds, docs/simulation.md); after a reversal it crosses within days.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

FRESH_DAYS = 7
MIN_TRIALS = 3.0  # weighted outcomes an arm needs on each side to be compared
CHANGE_FROM = 2.5
CHANGE_AT = 4.5
OLD_WEIGHT_AFTER_CHANGE = 0.2


@dataclass(frozen=True, slots=True)
class Forgetting:
    change: float  # standardised evidence that the user's tastes changed (0 = none)
    arms_compared: int
    old_weight: float  # what an outcome older than FRESH_DAYS counts for, 0.2..1

    @property
    def changed(self) -> bool:
        return self.old_weight < 1.0


def forgetting(fresh: dict[str, Iterable[float]], older: dict[str, Iterable[float]]) -> Forgetting:
    """Compare arms' [success, trials] in the fresh week with the weeks before."""
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
        return Forgetting(0.0, 0, 1.0)
    change = max(0.0, (chi2 - arms) / math.sqrt(2.0 * arms))
    return Forgetting(round(change, 3), arms, round(old_weight(change), 3))


def old_weight(change: float) -> float:
    if change <= CHANGE_FROM:
        return 1.0
    if change >= CHANGE_AT:
        return OLD_WEIGHT_AFTER_CHANGE
    share = (change - CHANGE_FROM) / (CHANGE_AT - CHANGE_FROM)
    return 1.0 - share * (1.0 - OLD_WEIGHT_AFTER_CHANGE)
