"""What a simulation run measures: per policy and week, totals and each user's own counts,
and the comparisons the reports print (lift, gap to the oracle, users harmed). Pure."""

from dataclasses import dataclass, field

# A user is harmed by a policy when their completion under it is this much below static.
HARM_MARGIN = 0.05
METRICS = ("completion", "per_day")  # completion per task, tasks completed per day


@dataclass(slots=True)
class WeekStats:
    planned: int = 0
    completed: int = 0
    repeats: int = 0
    users_with_hydration_variety: int = 0
    users: int = 0
    # The logged propensities of the chosen items (how sure the policy was of each pick).
    propensity_sum: float = 0.0
    propensity_items: int = 0
    user_days: int = 0  # days lived, summed over users: the denominator of tasks per day
    swaps: int = 0  # tasks the users swapped for another (lab/swapping.py)
    # user key -> [completed, planned] this week, to compare users across policies.
    per_user: dict[int, list[int]] = field(default_factory=dict)

    def add(self, other: "WeekStats") -> None:
        self.planned += other.planned
        self.completed += other.completed
        self.repeats += other.repeats
        self.users_with_hydration_variety += other.users_with_hydration_variety
        self.users += other.users
        self.propensity_sum += other.propensity_sum
        self.propensity_items += other.propensity_items
        self.user_days += other.user_days
        self.swaps += other.swaps
        for key, (done, planned) in other.per_user.items():
            mine = self.per_user.setdefault(key, [0, 0])
            mine[0] += done
            mine[1] += planned

    def count_item(self, user_key: int, done: bool) -> None:
        self.planned += 1
        self.completed += done
        mine = self.per_user.setdefault(user_key, [0, 0])
        mine[0] += done
        mine[1] += 1

    @property
    def mean_propensity(self) -> float | None:
        """Mean probability of the picks: the higher, the less the policy explores."""
        return self.propensity_sum / self.propensity_items if self.propensity_items else None

    @property
    def completion_rate(self) -> float:
        return self.completed / self.planned if self.planned else 0.0

    @property
    def tasks_per_day(self) -> float:
        """Tasks completed per user-day: what a plan that shrinks must not lose."""
        return self.completed / self.user_days if self.user_days else 0.0

    @property
    def repeat_rate(self) -> float:
        return self.repeats / self.planned if self.planned else 0.0

    @property
    def variety_share(self) -> float:
        return self.users_with_hydration_variety / self.users if self.users else 0.0

    def value(self, metric: str) -> float:
        if metric == "completion":
            return self.completion_rate
        if metric == "per_day":
            return self.tasks_per_day
        raise ValueError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")


@dataclass(slots=True)
class SimulationResult:
    users: int
    days: int
    seed: int
    heterogeneity: str
    client: str = "full"
    world: str = "standard"
    weeks: dict[str, list[WeekStats]] = field(default_factory=dict)

    @property
    def week_count(self) -> int:
        return max((len(w) for w in self.weeks.values()), default=0)

    def stats(self, policy: str, week: int) -> WeekStats | None:
        weeks = self.weeks.get(policy)
        return weeks[week] if weeks and week < len(weeks) else None

    def rate(self, policy: str, week: int, metric: str = "completion") -> float | None:
        stats = self.stats(policy, week)
        return stats.value(metric) if stats is not None else None

    def lift(self, week: int, policy: str = "adaptive", metric: str = "completion") -> float | None:
        """The policy's relative gain over static that week."""
        mine, static = self.rate(policy, week, metric), self.rate("static", week, metric)
        if mine is None or not static:
            return None
        return mine / static - 1.0

    def gap_closed(self, week: int, policy: str = "adaptive") -> float | None:
        """Share of the static-to-oracle gap in completion per task the policy closes."""
        static, mine, oracle = (self.rate(p, week) for p in ("static", policy, "oracle"))
        if None in (static, mine, oracle) or oracle - static <= 1e-9:
            return None
        return (mine - static) / (oracle - static)

    def worst_lift(self, policy: str = "adaptive") -> tuple[int, float] | None:
        """(week index, lift) of the policy's worst week against static."""
        lifts = [
            (week, lift)
            for week in range(self.week_count)
            if (lift := self.lift(week, policy)) is not None
        ]
        return min(lifts, key=lambda pair: pair[1]) if lifts else None

    def harmed_share(self, week: int, policy: str, margin: float = HARM_MARGIN) -> float | None:
        """Share of users whose completion under the policy is more than `margin` below
        their own completion under static that week (users planned under both)."""
        mine, static = self.stats(policy, week), self.stats("static", week)
        if mine is None or static is None or policy == "static":
            return None
        compared = harmed = 0
        for key, (done, planned) in mine.per_user.items():
            base_done, base_planned = static.per_user.get(key, (0, 0))
            if not planned or not base_planned:
                continue
            compared += 1
            harmed += done / planned < base_done / base_planned - margin
        return harmed / compared if compared else None

    def ratio(self, week: int, metric: str, policy: str = "adaptive", other: str = "peer"):
        """policy's value over other's that week (1.0: as good)."""
        mine, theirs = self.rate(policy, week, metric), self.rate(other, week, metric)
        if mine is None or not theirs:
            return None
        return mine / theirs
