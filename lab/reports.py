"""The simulation's printed reports: per week and policy, the last week per policy, and the
summaries across runs (heterogeneity and clients, or worlds)."""

from .results import HARM_MARGIN, SimulationResult

LAST_WEEK_COLUMNS = (
    "policy    completion  tasks_per_day  lift_vs_static  lift_per_day  gap_closed  "
    "worst_week_lift  users_harmed  adaptive_vs_peer  adaptive_vs_peer_per_day"
)


def format_report(result: SimulationResult) -> str:
    """The table the README quotes: per week and policy, completion, lift, regret, variety,
    and the mean propensity of the picks (the lower, the more the policy explores); then
    tasks completed per day, its lift, and the share of users harmed against static. The
    last week's block follows."""
    lines = [
        f"simulation: users={result.users} days={result.days} seed={result.seed} "
        f"heterogeneity={result.heterogeneity} client={result.client} world={result.world}",
        "week  policy    completion  lift_vs_static  regret_vs_oracle  gap_closed  "
        "hydration_variety  next_day_repeats  mean_propensity  tasks_per_day  lift_per_day  "
        "users_harmed",
    ]
    for week in range(result.week_count):
        oracle = result.rate("oracle", week)
        for policy, stats in result.weeks.items():
            s = stats[week]
            learner = policy not in ("static", "oracle")
            lift = result.lift(week, policy) if policy != "static" else None
            per_day = result.lift(week, policy, "per_day") if policy != "static" else None
            regret = oracle - s.completion_rate if oracle is not None else None
            gap = result.gap_closed(week, policy) if learner else None
            lines.append(
                f"{week + 1:>4}  {policy:<8}  {s.completion_rate:>10.1%}  "
                f"{_pct(lift):>14}  {_pts(regret):>16}  {_pct(gap):>10}  "
                f"{s.variety_share:>17.1%}  {s.repeat_rate:>16.1%}  "
                f"{_share(s.mean_propensity):>15}  {s.tasks_per_day:>13.2f}  "
                f"{_pct(per_day):>12}  {_share(result.harmed_share(week, policy)):>12}"
            )
    lines.append("")
    lines.append(f"last week (week {result.week_count}): {_harm_note()}")
    lines.append(LAST_WEEK_COLUMNS)
    lines += last_week_rows(result)
    return "\n".join(lines)


def last_week_rows(result: SimulationResult) -> list[str]:
    """One row per policy: the last week's figures, the worst week's lift, and (on the
    adaptive row) adaptive's completion per task and per day over the peer's."""
    last = result.week_count - 1
    rows = []
    for policy in result.weeks:
        s = result.stats(policy, last)
        compared = policy != "static"
        learner = policy not in ("static", "oracle")
        worst = result.worst_lift(policy) if learner else None
        is_adaptive = policy == "adaptive"
        rows.append(
            f"{policy:<8}  {s.completion_rate:>10.1%}  {s.tasks_per_day:>13.2f}  "
            f"{_pct(result.lift(last, policy) if compared else None):>14}  "
            f"{_pct(result.lift(last, policy, 'per_day') if compared else None):>12}  "
            f"{_pct(result.gap_closed(last, policy) if learner else None):>10}  "
            f"{_worst(worst):>15}  {_share(result.harmed_share(last, policy)):>12}  "
            f"{_times(result.ratio(last, 'completion') if is_adaptive else None):>16}  "
            f"{_times(result.ratio(last, 'per_day') if is_adaptive else None):>24}"
        )
    return rows


def format_summary(results: list[SimulationResult]) -> str:
    """One row per (heterogeneity, client): the last week's completion per policy, adaptive's
    lift over static and share of the gap to the oracle closed, and its worst week's lift."""
    lines = [
        "summary: last week, and adaptive's worst week",
        "heterogeneity  client       week  static  adaptive  oracle  lift_vs_static  "
        "gap_closed  worst_week_lift",
    ]
    for result in results:
        last = result.week_count - 1
        worst = result.worst_lift()
        static, adaptive, oracle = (
            result.rate(policy, last) for policy in ("static", "adaptive", "oracle")
        )
        lines.append(
            f"{result.heterogeneity:<13}  {result.client:<11}  {last + 1:>4}  "
            f"{_share(static):>6}  {_share(adaptive):>8}  {_share(oracle):>6}  "
            f"{_pct(result.lift(last)):>14}  {_pct(result.gap_closed(last)):>10}  "
            f"{_pct(worst[1] if worst else None):>15}"
        )
    return "\n".join(lines)


def format_world_summary(results: list[SimulationResult]) -> str:
    """The last week of every run, one row per (world, client, policy)."""
    lines = [
        f"summary: worlds, last week; {_harm_note()}",
        f"world            client       heterogeneity  {LAST_WEEK_COLUMNS}",
    ]
    for result in results:
        for row in last_week_rows(result):
            lines.append(
                f"{result.world:<15}  {result.client:<11}  {result.heterogeneity:<13}  {row}"
            )
    return "\n".join(lines)


def _harm_note() -> str:
    return (
        f"lifts against static; gap_closed toward the oracle; users_harmed: users more than "
        f"{HARM_MARGIN * 100:.0f} points below their own completion under static"
    )


def _worst(pair: tuple[int, float] | None) -> str:
    return "-" if pair is None else f"{pair[1]:+.1%} (w{pair[0] + 1})"


def _times(value: float | None) -> str:
    return "-" if value is None else f"x{value:.3f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def _pts(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} pts"
