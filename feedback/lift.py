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
# 1,000 resamples: 25 beyond each 2.5% tail; the draws are most of the page's time.
RESAMPLES = 1000
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


def bootstrap_lift(
    treatment: Sequence[Cluster],
    holdout: Sequence[Cluster],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    confidence: float = CONFIDENCE,
) -> Interval | None:
    """(Σ numerators / Σ denominators of treatment) / (the same of holdout) - 1, with a
    stratified percentile bootstrap interval; None when there is nothing to compare."""
    [lift] = bootstrap_lifts(
        [(c.numerator, c.denominator) for c in treatment],
        [(c.numerator, c.denominator) for c in holdout],
        [(0, 1)],
        resamples,
        seed,
        confidence,
    )
    return lift


def bootstrap_lifts(
    treatment: Sequence[Sequence[float]],
    holdout: Sequence[Sequence[float]],
    ratios: Sequence[tuple[int, int]],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    confidence: float = CONFIDENCE,
) -> list[Interval | None]:
    """Several ratio lifts from the same resamples: each cluster is a row of sums, each
    ratio a (numerator column, denominator column). Drawing the clusters once for every
    ratio halves the work of the dashboard (random draws are most of it)."""
    t, h = np.asarray(treatment, dtype=float), np.asarray(holdout, dtype=float)
    if not len(t) or not len(h):
        return [None] * len(ratios)
    rng = np.random.default_rng(seed)
    t_sums, h_sums = _resampled_sums(t, rng, resamples), _resampled_sums(h, rng, resamples)
    t_total, h_total = t.sum(axis=0), h.sum(axis=0)
    tail = (1 - confidence) / 2
    lifts: list[Interval | None] = []
    for num, den in ratios:
        if not t_total[den] or not h_total[den] or not h_total[num]:
            lifts.append(None)
            continue
        estimate = (t_total[num] / t_total[den]) / (h_total[num] / h_total[den]) - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            drawn = (t_sums[:, num] / t_sums[:, den]) / (h_sums[:, num] / h_sums[:, den]) - 1
        drawn = drawn[np.isfinite(drawn)]
        low, high = np.quantile(drawn, [tail, 1 - tail]) if drawn.size else (np.nan, np.nan)
        lifts.append(Interval(float(estimate), float(low), float(high)))
    return lifts


def _resampled_sums(rows: np.ndarray, rng: np.random.Generator, resamples: int) -> np.ndarray:
    """(resamples, columns): each column summed over a resample of the rows."""
    picks = rng.integers(0, len(rows), size=(resamples, len(rows)), dtype=np.int32)
    return np.stack([rows[:, c][picks].sum(axis=1) for c in range(rows.shape[1])], axis=1)


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
    # Columns: completed, outcomes, active user-days.
    completion, per_day = bootstrap_lifts(
        [(c.completed, c.outcomes, c.user_days) for c in treatment],
        [(c.completed, c.outcomes, c.user_days) for c in held],
        [(0, 1), (0, 2)],
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
