"""Validating off-policy evaluation in the simulation: static logs the last week, the
estimators score adaptive from those logs, then adaptive runs the same week for real.

Off-policy evaluation scores which task a policy picks in each logged slot; it cannot score
a plan of another size or category mix, which the logging policy never served. So the real
run keeps the logged layout (`ADAPTIVE_IN_LOGGED_SLOTS`); what plan shaping adds is measured
by the simulation's worlds (docs/simulation.md) and, in production, by the holdout."""

from dataclasses import dataclass
from datetime import timedelta

from feedback.evaluation import logged_events
from feedback.offpolicy import Evaluation, LoggedEvent, evaluate, format_evaluation
from library.scoring import AdaptiveScorer, StaticScorer
from library.selectors import active_candidates

from . import simulation_worker
from .simulation import (
    ADAPTIVE_IN_LOGGED_SLOTS,
    START,
    WeekStats,
    in_workers,
    simulate_user,
    user_slices,
)
from .worlds import HETEROGENEITY, make_users


@dataclass(slots=True)
class OffPolicyCheck:
    """Static logs the evaluation window; adaptive then runs it for real on the same users."""

    users: int
    days: int
    eval_days: int
    heterogeneity: str
    evaluation: Evaluation
    logged_rate: float
    real_rate: float


def simulate_off_policy_slice(
    users: int,
    days: int,
    seed: int,
    heterogeneity: str,
    eval_days: int,
    keys: list[int] | None = None,
) -> tuple[list[LoggedEvent], WeekStats]:
    """Both arms for some users: the events logged by static, and adaptive's real outcomes."""
    candidates = active_candidates()
    arms = sorted({c.arm for c in candidates})
    population = make_users(users, seed, HETEROGENEITY[heterogeneity], arms)
    chosen = population if keys is None else [population[k] for k in keys]
    switch = days - eval_days
    real = WeekStats()
    logging_users = []
    for user in chosen:
        weeks = [WeekStats() for _ in range((days + 6) // 7)]
        logging_users.append(
            simulate_user(user, "static", days, seed, candidates, weeks, label="ope-log")
        )
        real_weeks = [WeekStats() for _ in range((days + 6) // 7)]
        simulate_user(
            user,
            lambda offset: "static" if offset < switch else ADAPTIVE_IN_LOGGED_SLOTS,
            days,
            seed,
            candidates,
            real_weeks,
            label="ope-real",
        )
        for week in real_weeks[switch // 7 :]:
            real.add(week)
    window_start = START + timedelta(days=switch)
    events, _ = logged_events(
        "adaptive", window_start, START + timedelta(days=days - 1), logging_users
    )
    return events, real


def run_off_policy_check(
    users: int = 300,
    days: int = 28,
    seed: int = 7,
    heterogeneity: str = "medium",
    eval_days: int = 7,
    workers: int = 0,
    bootstrap: int = 400,
) -> OffPolicyCheck:
    """Estimate adaptive off-policy from static's logs of the last `eval_days`, then compare
    with adaptive's real completion over the same days (the switch falls on a week boundary).
    """
    if (days - eval_days) % 7 or not 0 < eval_days <= days:
        raise ValueError("days - eval_days must be a whole number of weeks")
    if workers < 1:
        parts = [simulate_off_policy_slice(users, days, seed, heterogeneity, eval_days)]
    else:
        parts = in_workers(
            simulation_worker.off_policy_slice,
            [
                (users, days, seed, heterogeneity, eval_days, keys)
                for keys in user_slices(users, workers)
            ],
        )
    events = [event for part_events, _ in parts for event in part_events]
    real = WeekStats()
    for _, stats in parts:
        real.add(stats)
    evaluation = evaluate(events, bootstrap=bootstrap, seed=seed)
    return OffPolicyCheck(
        users,
        days,
        eval_days,
        heterogeneity,
        evaluation,
        evaluation.logged_rate,
        real.completion_rate,
    )


def format_off_policy_check(check: OffPolicyCheck) -> str:
    lines = [
        f"off-policy check: users={check.users} days={check.days} "
        f"heterogeneity={check.heterogeneity}: static logs days "
        f"{check.days - check.eval_days + 1}-{check.days}, adaptive runs them for real "
        "in the same slots",
        format_evaluation(check.evaluation, AdaptiveScorer.policy, StaticScorer.policy),
        f"adaptive, run for real on the same users and slots: {check.real_rate:.1%}",
    ]
    for est in check.evaluation.estimates:
        if est.value == est.value:
            verdict = "contains" if est.contains(check.real_rate) else "MISSES"
            lines.append(
                f"  {est.estimator} interval {verdict} the real value "
                f"(error {est.value - check.real_rate:+.1%})"
            )
    return "\n".join(lines)
