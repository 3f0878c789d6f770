"""The measured lift: the treatment group against the randomized holdout, with an interval.

Two figures per group over a window of closed days, both over active user-days (the outcome
model's, `feedback.outcomes.active_user_days`; silent days count in neither group):

- completion rate: completed outcomes / outcomes (completed, skipped, unanswered);
- tasks completed a day: completed outcomes / active user-days (a policy that shrinks the
  day must not lose here what it gains in the rate).

The lift is treatment / holdout - 1 for each. Its 95% interval is a percentile bootstrap
over users, resampled in clusters: each group's (bucket) clusters of `holdout_user_days`
are drawn with replacement, as many as it has, and the ratio of sums recomputed. Buckets
are a keyed hash of the user id, independent of the group, so a bucket is a random set of
users and resampling buckets is resampling users in blocks (a user's days never split
across clusters, so their correlation is kept). The RNG is seeded: the same rows give the
same interval on the dashboard and in `lift_report`.

Below MIN_USERS_PER_GROUP users or MIN_OUTCOMES_PER_GROUP outcomes in either group the
figures are shown but no lift: "not enough data". Pure functions first; the reads at the
end cost the window's `holdout_bucket_days` (days x 2 x BUCKETS rows at most) and the
users counted nightly per window (feedback/rollup_reads.py, feedback/holdout_days.py).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from routines.holdout import Group

from .holdout_days import WINDOWS
from .rollup_reads import HoldoutCluster, holdout_clusters, holdout_days, holdout_users
from .rollups import monday

MIN_USERS_PER_GROUP = 30
MIN_OUTCOMES_PER_GROUP = 300
RESAMPLES = 2000
CONFIDENCE = 0.95
SEED = 22


@dataclass(frozen=True, slots=True)
class Cluster:
    """A resampling unit: the numerator and denominator it adds to its group's ratio."""

    numerator: float
    denominator: float


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float

    @property
    def below_zero(self) -> bool:
        return self.high < 0


def ratio(clusters: Sequence[Cluster]) -> float | None:
    denominator = sum(c.denominator for c in clusters)
    return sum(c.numerator for c in clusters) / denominator if denominator else None


def bootstrap_lift(
    treatment: Sequence[Cluster],
    holdout: Sequence[Cluster],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    confidence: float = CONFIDENCE,
) -> Interval | None:
    """ratio(treatment) / ratio(holdout) - 1 with a stratified percentile bootstrap
    interval; None when either group has no denominator (nothing to compare)."""
    t_rate, h_rate = ratio(treatment), ratio(holdout)
    if t_rate is None or not h_rate:
        return None
    rng = np.random.default_rng(seed)
    t_sums = _resampled_sums(_pairs(treatment), rng, resamples)
    h_sums = _resampled_sums(_pairs(holdout), rng, resamples)
    with np.errstate(divide="ignore", invalid="ignore"):
        lifts = (t_sums[:, 0] / t_sums[:, 1]) / (h_sums[:, 0] / h_sums[:, 1]) - 1
    lifts = lifts[np.isfinite(lifts)]
    tail = (1 - confidence) / 2
    low, high = np.quantile(lifts, [tail, 1 - tail]) if lifts.size else (np.nan, np.nan)
    return Interval(t_rate / h_rate - 1, float(low), float(high))


def _pairs(clusters: Sequence[Cluster]) -> np.ndarray:
    return np.array([(c.numerator, c.denominator) for c in clusters], dtype=float)


def _resampled_sums(pairs: np.ndarray, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """(resamples, 2): the summed (numerator, denominator) of each resample."""
    picks = rng.integers(0, len(pairs), size=(resamples, len(pairs)))
    return pairs[picks].sum(axis=1)


# ---- a window's figures -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupFigures:
    users: int
    user_days: int
    outcomes: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.outcomes if self.outcomes else None

    @property
    def tasks_per_day(self) -> float | None:
        return self.completed / self.user_days if self.user_days else None

    @property
    def enough(self) -> bool:
        return self.users >= MIN_USERS_PER_GROUP and self.outcomes >= MIN_OUTCOMES_PER_GROUP


@dataclass(frozen=True, slots=True)
class LiftWindow:
    since: date
    until: date
    treatment: GroupFigures
    holdout: GroupFigures
    completion_lift: Interval | None  # None: not enough data
    per_day_lift: Interval | None

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def enough_data(self) -> bool:
        return self.treatment.enough and self.holdout.enough

    @property
    def below_zero(self) -> bool:
        """A lift interval lies entirely below zero: the policy is doing harm."""
        lifts = (self.completion_lift, self.per_day_lift)
        return any(i is not None and i.below_zero for i in lifts)


def _figures(clusters: Sequence[HoldoutCluster], users: int) -> GroupFigures:
    return GroupFigures(
        users=users,
        user_days=sum(c.user_days for c in clusters),
        outcomes=sum(c.outcomes for c in clusters),
        completed=sum(c.completed for c in clusters),
    )


def lift_of(
    since: date, until: date, clusters: Sequence[HoldoutCluster], users: dict[str, int]
) -> LiftWindow:
    """The window's figures and lifts from its (group, bucket) clusters and its distinct
    users per group. Pure."""
    treatment = [c for c in clusters if c.group == Group.TREATMENT]
    held = [c for c in clusters if c.group == Group.HOLDOUT]
    window = LiftWindow(
        since,
        until,
        _figures(treatment, users.get(Group.TREATMENT, 0)),
        _figures(held, users.get(Group.HOLDOUT, 0)),
        None,
        None,
    )
    if not window.enough_data:
        return window
    completion = bootstrap_lift(
        [Cluster(c.completed, c.outcomes) for c in treatment],
        [Cluster(c.completed, c.outcomes) for c in held],
    )
    per_day = bootstrap_lift(
        [Cluster(c.completed, c.user_days) for c in treatment],
        [Cluster(c.completed, c.user_days) for c in held],
    )
    return LiftWindow(since, until, window.treatment, window.holdout, completion, per_day)


@dataclass(frozen=True, slots=True)
class TrendWeek:
    week: date  # the Monday
    treatment: float | None  # completion rate
    holdout: float | None


def weekly_trend(days) -> list[TrendWeek]:
    """Completion rate per calendar week and group from per-day rows. Pure."""
    sums: dict[tuple[date, str], list[int]] = {}
    for row in days:
        pair = sums.setdefault((monday(row.day), row.group), [0, 0])
        pair[0] += row.completed
        pair[1] += row.outcomes
    weeks = sorted({week for week, _ in sums})

    def rate(week, group):
        done, seen = sums.get((week, group), (0, 0))
        return done / seen if seen else None

    return [TrendWeek(w, rate(w, Group.TREATMENT), rate(w, Group.HOLDOUT)) for w in weeks]


# ---- reads ---------------------------------------------------------------------------------


def window(days: int, today: date) -> tuple[date, date]:
    """The `days` closed days before `today` (the dashboard's windows)."""
    return today - timedelta(days=days), today - timedelta(days=1)


def lift_between(since: date, until: date) -> LiftWindow:
    """The lift over since..until (both included): the dashboard's and lift_report's one
    selector. Two queries (three for a range the nightly run did not count users for)."""
    return lift_of(since, until, holdout_clusters(since, until), holdout_users(since, until))


def trend_between(since: date, until: date) -> list[TrendWeek]:
    return weekly_trend(holdout_days(since, until))


def dashboard_lift(today: date) -> tuple[list[LiftWindow], list[TrendWeek]]:
    """The three windows and the longest one's weekly trend. Seven queries once the
    nightly rollup has counted the windows' users."""
    windows = [lift_between(*window(days, today)) for days in WINDOWS]
    return windows, trend_between(*window(max(WINDOWS), today))
