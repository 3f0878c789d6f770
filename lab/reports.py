"""The simulation's printed reports: per week and policy, and the summary across runs."""

from .simulation import POLICIES, SimulationResult


def format_report(result: SimulationResult) -> str:
    """The table the README quotes: per week and policy, completion, lift, regret, variety,
    and the mean propensity of the picks (the lower, the more the policy explores)."""
    lines = [
        f"simulation: users={result.users} days={result.days} seed={result.seed} "
        f"heterogeneity={result.heterogeneity} client={result.client}",
        "week  policy    completion  lift_vs_static  regret_vs_oracle  gap_closed  "
        "hydration_variety  next_day_repeats  mean_propensity",
    ]
    for week in range(result.week_count):
        oracle = result.rate("oracle", week)
        for policy, stats in result.weeks.items():
            s = stats[week]
            static = result.rate("static", week)
            lift = s.completion_rate / static - 1 if static and policy != "static" else None
            regret = oracle - s.completion_rate if oracle is not None else None
            gap = result.gap_closed(week) if policy == "adaptive" else None
            lines.append(
                f"{week + 1:>4}  {policy:<8}  {s.completion_rate:>10.1%}  "
                f"{_pct(lift):>14}  {_pts(regret):>16}  {_pct(gap):>10}  "
                f"{s.variety_share:>17.1%}  {s.repeat_rate:>16.1%}  "
                f"{_share(s.mean_propensity):>15}"
            )
    return "\n".join(lines)


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
        lifts = [lift for week in range(last + 1) if (lift := result.lift(week)) is not None]
        static, adaptive, oracle = (result.rate(policy, last) for policy in POLICIES)
        lines.append(
            f"{result.heterogeneity:<13}  {result.client:<11}  {last + 1:>4}  "
            f"{_share(static):>6}  {_share(adaptive):>8}  {_share(oracle):>6}  "
            f"{_pct(result.lift(last)):>14}  {_pct(result.gap_closed(last)):>10}  "
            f"{_pct(min(lifts, default=None)):>15}"
        )
    return "\n".join(lines)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def _pts(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} pts"
