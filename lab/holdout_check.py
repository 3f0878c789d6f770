"""Does the live holdout measure the lift? The simulation's answer.

The same synthetic users live the same days three times: under the static policy, under
the adaptive one (the simulation's usual pair), and "live": planned as production plans
them, with HOLDOUT_SHARE of them held out on the static policy (`routines.holdout`). The
live run is then rolled up by the real nightly step (`feedback.rollups.rollup_days`) and
read by the dashboard's selector (`feedback.lift.lift_of`), so its estimate and interval
come from what the client reported, through the outcome model. The truth it should match
is the difference between the static and adaptive runs on every user (realized
completions of planned items, whatever the client reported).

Each worker has its own database: it returns its (group, bucket) clusters, which add up
across workers (users never meet), and the lift is computed once on the merged clusters.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings

from feedback.lift import LiftWindow, lift_of
from feedback.rollup_reads import HoldoutCluster, holdout_clusters, window_users
from feedback.rollups import rollup_days

from .results import WeekStats
from .simulation import LIVE, START, in_workers, simulate_users, user_slices
from .simulation_worker import holdout_check_slice

SALT = "simulation-holdout"


@dataclass(slots=True)
class HoldoutCheck:
    users: int
    days: int
    seed: int
    heterogeneity: str
    client: str
    share: float
    static: WeekStats = field(default_factory=WeekStats)
    adaptive: WeekStats = field(default_factory=WeekStats)
    live: LiftWindow | None = None

    def true_lift(self, metric: str) -> float | None:
        base = self.static.value(metric)
        return self.adaptive.value(metric) / base - 1 if base else None


def _total(weeks: list[WeekStats]) -> WeekStats:
    total = WeekStats()
    for week in weeks:
        total.add(week)
    return total


def holdout_slice(users, days, seed, heterogeneity, keys, client, share):
    """One worker: the three runs of its users, then the live run's clusters."""
    settings.HOLDOUT_SHARE, settings.HOLDOUT_SALT = share, SALT
    # The live run alone first: the rollup reads every user of the database, and the
    # static and adaptive runs' users (other ids) would otherwise be split by hash too.
    simulate_users(users, days, seed, (LIVE,), heterogeneity, keys, client=client)
    last = START + timedelta(days=days - 1)
    rollup_days(START, last, last + timedelta(days=1))
    clusters, users_seen = holdout_clusters(START, last), window_users(START, last)
    weeks = simulate_users(
        users, days, seed, ("static", "adaptive"), heterogeneity, keys, client=client
    )
    return weeks, clusters, users_seen


def _merge(parts: list[list[HoldoutCluster]]) -> list[HoldoutCluster]:
    sums: dict[tuple[str, int], list[int]] = {}
    for clusters in parts:
        for c in clusters:
            total = sums.setdefault((c.group, c.bucket), [0, 0, 0])
            for i, n in enumerate((c.user_days, c.outcomes, c.completed)):
                total[i] += n
    return [HoldoutCluster(group, bucket, *n) for (group, bucket), n in sorted(sums.items())]


def _add_users(parts: list[dict[str, int]]) -> dict[str, int]:
    """Workers hold different users: their distinct counts add up."""
    total: dict[str, int] = {}
    for users in parts:
        for group, n in users.items():
            total[group] = total.get(group, 0) + n
    return total


def run_holdout_check(
    users: int, days: int, seed: int, heterogeneity: str, client: str, share: float, workers: int
) -> HoldoutCheck:
    calls = [
        (users, days, seed, heterogeneity, keys, client, share)
        for keys in user_slices(users, max(workers, 1))
    ]
    parts = in_workers(holdout_check_slice, calls)
    check = HoldoutCheck(users, days, seed, heterogeneity, client, share)
    check.static = _total([w for weeks, _, _ in parts for w in weeks["static"]])
    check.adaptive = _total([w for weeks, _, _ in parts for w in weeks["adaptive"]])
    last = START + timedelta(days=days - 1)
    clusters = _merge([clusters for _, clusters, _ in parts])
    check.live = lift_of(START, last, clusters, _add_users([users for _, _, users in parts]))
    return check


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f}%"


def format_holdout_checks(checks: list[HoldoutCheck]) -> str:
    first = checks[0]
    lines = [
        f"Holdout check: {first.users} users x {first.days} days, seed {first.seed}, "
        f"{first.heterogeneity} heterogeneity, holdout share {first.share:.2f}",
        "",
        "| client | users treatment / holdout | metric | true lift (adaptive run vs static "
        "run, all users) | live estimate [95% interval] | truth inside |",
        "|---|---|---|---|---|---|",
    ]
    for check in checks:
        live = check.live
        for metric, label, interval in (
            ("completion", "completion", live.completion_lift),
            ("per_day", "tasks a day", live.per_day_lift),
        ):
            truth = check.true_lift(metric)
            if interval is None:
                estimate, inside = "not enough data", "n/a"
            else:
                estimate = (
                    f"{_pct(interval.estimate)} [{_pct(interval.low)}, {_pct(interval.high)}]"
                )
                inside = (
                    "yes" if truth is not None and interval.low <= truth <= interval.high else "NO"
                )
            lines.append(
                f"| {check.client} | {live.treatment.users} / {live.holdout.users} | {label} "
                f"| {_pct(truth)} | {estimate} | {inside} |"
            )
    return "\n".join(lines)
