"""Off-policy evaluation: what completion rate would another policy have had on logged plans?

Pure numpy over plain events. Each event is one planned slot: the candidates it offered,
the logging policy's probability of each (stored with the plan item), the candidate
policy's probability of each (computed offline), which one was planned, and the reward
(1 = completed). Estimators:

- IPS: mean of w * r, with w = target(chosen) / logging(chosen);
- SNIPS: sum(w * r) / sum(w), less variance, slightly biased;
- DR: mean of sum_a target(a) * r_hat(a) + w * (r - r_hat(chosen)), with r_hat a smoothed
  completion rate per subcategory fitted on the same logs.

Confidence intervals come from a bootstrap over users (a user's outcomes are correlated, so
resampling single events would be too optimistic). An estimate is refused, with the reason,
when the logs cannot support it: too few events, too small an effective sample, tiny
propensities, or a candidate that mostly goes where the logging policy never does.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_EVENTS = 200
MIN_EFFECTIVE_SAMPLE = 50.0
MIN_PROPENSITY = 1e-3
# A candidate the logger picks less often than this is "not covered". Exploration gives every
# candidate at least EXPLORATION / K (0.05 / 25 = 0.002 for the largest slots), so only logs
# without exploration fall below it.
OVERLAP_FLOOR = 0.002
MAX_UNCOVERED_MASS = 0.2
REWARD_PRIOR_STRENGTH = 5.0
ESTIMATORS = ("ips", "snips", "dr")


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    cluster: str  # the user: the bootstrap resamples whole users
    reward: float
    chosen: int
    logging: tuple[float, ...]
    target: tuple[float, ...]
    arms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Estimate:
    estimator: str
    value: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(slots=True)
class Evaluation:
    events: int
    users: int
    logged_rate: float
    effective_sample_size: float
    min_propensity: float
    uncovered_mass: float
    estimates: list[Estimate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return not self.problems

    def estimate(self, name: str) -> Estimate | None:
        return next((e for e in self.estimates if e.estimator == name), None)


def reward_model(events: Sequence[LoggedEvent]) -> dict[str, float]:
    """Completion per subcategory of the planned tasks, smoothed toward the overall rate."""
    totals = Totals()
    for event in events:
        totals.add(event)
    return totals.reward_model()


class Totals:
    """What the estimators need from the events, summed per user as they stream past.

    Every estimator is a sum over events, and the bootstrap resamples whole users, so
    per-user sums are enough and memory grows with users and subcategories, not events.
    DR needs the reward model, fitted on all events, inside each event's term; since the
    model is one number per subcategory, an event's DR term splits into
    w * r + sum over subcategories of model(arm) * (target mass on arm - w if arm chosen),
    and each user keeps that per-subcategory mass. The results equal those of the
    per-event sums up to the order of floating-point additions.
    """

    def __init__(self) -> None:
        self.users: dict[str, list[float]] = {}  # user -> [n, sum w*r, sum w]
        self.user_mass: dict[str, dict[str, float]] = {}  # user -> arm -> DR mass
        self.done: dict[str, float] = defaultdict(float)
        self.seen: dict[str, float] = defaultdict(float)
        self.events = 0
        self.rewards = 0.0
        self.weight_squares = 0.0
        self.min_propensity = float("inf")
        self.uncovered = 0.0

    def add(self, event: LoggedEvent) -> None:
        chosen_arm = event.arms[event.chosen]
        weight = event.target[event.chosen] / event.logging[event.chosen]
        sums = self.users.get(event.cluster)
        if sums is None:
            sums = self.users[event.cluster] = [0.0, 0.0, 0.0]
            self.user_mass[event.cluster] = defaultdict(float)
        sums[0] += 1
        sums[1] += weight * event.reward
        sums[2] += weight
        mass = self.user_mass[event.cluster]
        for arm, target in zip(event.arms, event.target, strict=True):
            mass[arm] += target
        mass[chosen_arm] -= weight
        self.done[chosen_arm] += event.reward
        self.seen[chosen_arm] += 1
        self.events += 1
        self.rewards += event.reward
        self.weight_squares += weight * weight
        self.min_propensity = min(self.min_propensity, event.logging[event.chosen])
        self.uncovered += sum(
            t for t, m in zip(event.target, event.logging, strict=True) if m < OVERLAP_FLOOR
        )

    def merge(self, other: "Totals") -> None:
        """Add another set of totals over other users (a worker's share)."""
        if self.users.keys() & other.users.keys():
            raise ValueError("totals to merge must cover different users")
        self.users.update(other.users)
        self.user_mass.update(other.user_mass)
        for arm, done in other.done.items():
            self.done[arm] += done
        for arm, seen in other.seen.items():
            self.seen[arm] += seen
        self.events += other.events
        self.rewards += other.rewards
        self.weight_squares += other.weight_squares
        self.min_propensity = min(self.min_propensity, other.min_propensity)
        self.uncovered += other.uncovered

    def reward_model(self) -> dict[str, float]:
        overall = sum(self.done.values()) / max(1.0, sum(self.seen.values()))
        return {
            arm: (self.done[arm] + REWARD_PRIOR_STRENGTH * overall)
            / (self.seen[arm] + REWARD_PRIOR_STRENGTH)
            for arm in self.seen
        } | {"": overall}

    def by_user(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """Users in sorted order and, per estimator term, one sum per user."""
        clusters = sorted(self.users)
        model = self.reward_model()
        overall = model[""]
        sums = np.array([self.users[c] for c in clusters]).reshape(len(clusters), 3)
        dr = [
            sums[i, 1]
            + sum(model.get(arm, overall) * mass for arm, mass in self.user_mass[c].items())
            for i, c in enumerate(clusters)
        ]
        return clusters, {"wr": sums[:, 1], "w": sums[:, 2], "dr": np.array(dr), "n": sums[:, 0]}

    def evaluate(self, bootstrap: int = 400, seed: int = 0, level: float = 0.95) -> Evaluation:
        return _evaluate(self, bootstrap, seed, level)


def _point(sums: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        "ips": sums["wr"] / sums["n"],
        "snips": sums["wr"] / np.where(sums["w"] > 0, sums["w"], np.nan),
        "dr": sums["dr"] / sums["n"],
    }


def evaluate(
    events: Sequence[LoggedEvent], bootstrap: int = 400, seed: int = 0, level: float = 0.95
) -> Evaluation:
    """Every estimator with a cluster-bootstrap interval, or the reasons it cannot be done."""
    totals = Totals()
    for event in events:
        totals.add(event)
    return totals.evaluate(bootstrap, seed, level)


def _evaluate(totals: Totals, bootstrap: int, seed: int, level: float) -> Evaluation:
    if not totals.events:
        return Evaluation(0, 0, 0.0, 0.0, 0.0, 0.0, problems=["no logged events with propensities"])
    clusters, by_cluster = totals.by_user()
    weight_sum = float(by_cluster["w"].sum())
    ess = float(weight_sum**2 / max(1e-12, totals.weight_squares))
    uncovered = totals.uncovered / totals.events
    result = Evaluation(
        events=totals.events,
        users=len(clusters),
        logged_rate=totals.rewards / totals.events,
        effective_sample_size=ess,
        min_propensity=float(totals.min_propensity),
        uncovered_mass=uncovered,
    )
    if totals.events < MIN_EVENTS:
        result.problems.append(f"too few events: {totals.events} < {MIN_EVENTS}")
    if ess < MIN_EFFECTIVE_SAMPLE:
        result.problems.append(
            f"effective sample size {ess:.0f} < {MIN_EFFECTIVE_SAMPLE:.0f}: the candidate "
            "rarely chooses what the logging policy chose"
        )
    if result.min_propensity < MIN_PROPENSITY:
        result.problems.append(
            f"logged propensities as small as {result.min_propensity:.1e}: weights explode"
        )
    if uncovered > MAX_UNCOVERED_MASS:
        result.problems.append(
            f"no overlap: {uncovered:.0%} of the candidate's choices fall on tasks the logging "
            f"policy picks less than {OVERLAP_FLOOR:.0%} of the time"
        )

    points = _point({name: values.sum(keepdims=True) for name, values in by_cluster.items()})
    resampled = _point(_resampled_sums(by_cluster, bootstrap, seed))
    tail = (1.0 - level) / 2 * 100
    for name in ESTIMATORS:
        draws = resampled[name][~np.isnan(resampled[name])]
        if draws.size == 0:  # SNIPS when the candidate never chose what was logged
            result.estimates.append(Estimate(name, float("nan"), float("nan"), float("nan")))
            continue
        low, high = np.percentile(draws, [tail, 100 - tail])
        result.estimates.append(Estimate(name, float(points[name][0]), float(low), float(high)))
    return result


BOOTSTRAP_BLOCK = 50


def _resampled_sums(
    by_cluster: dict[str, np.ndarray], bootstrap: int, seed: int
) -> dict[str, np.ndarray]:
    """Each term's sum over `bootstrap` resamples of the users (with replacement).

    The resample counts are drawn a block of resamples at a time: the same numbers as one
    draw of them all, without a resamples x users matrix (16 GB at five million users).
    """
    users = len(next(iter(by_cluster.values())))
    rng = np.random.default_rng(seed)
    share = np.full(users, 1.0 / users)
    sums: dict[str, list[np.ndarray]] = {name: [] for name in by_cluster}
    for start in range(0, bootstrap, BOOTSTRAP_BLOCK):
        counts = rng.multinomial(users, share, size=min(BOOTSTRAP_BLOCK, bootstrap - start))
        for name, values in by_cluster.items():
            sums[name].append(counts @ values)
    return {name: np.concatenate(parts) for name, parts in sums.items()}


def format_evaluation(evaluation: Evaluation, candidate: str, logging_policy: str) -> str:
    lines = [
        f"candidate policy: {candidate}    logged by: {logging_policy}",
        f"events: {evaluation.events}  users: {evaluation.users}  "
        f"effective sample size: {evaluation.effective_sample_size:.0f}  "
        f"smallest logged propensity: {evaluation.min_propensity:.3f}",
        f"logging policy's observed completion: {evaluation.logged_rate:.1%}",
    ]
    if not evaluation.supported:
        lines.append("NOT SUPPORTED by these logs:")
        lines += [f"  - {problem}" for problem in evaluation.problems]
        lines.append("(point estimates below are shown for diagnosis only)")
    lines.append("estimator  estimate  95% interval")
    for est in evaluation.estimates:
        lines.append(f"{est.estimator:<9}  {est.value:>8.1%}  [{est.low:.1%}, {est.high:.1%}]")
    return "\n".join(lines)
