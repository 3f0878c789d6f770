"""How much a task suits a slot: the spec's static fit, and the adaptive, learned score.

Pure functions over plain data. Every scorer offers two views of the same model:
`sample` draws n random total scores per candidate at once (numpy), which is how slots are
chosen and how the probability of each choice (its propensity) is measured; `breakdown`
gives the expected parts of a score, for editors and previews. Plans draw from a generator
seeded by (user_id, date), so the same request always gives the same plan.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .candidates import Candidate
from .choices import Difficulty, Mode

ARCHETYPE_WEIGHT = 0.7
MODE_WEIGHT = 0.3
JITTER = 0.1  # spec: + random.uniform(0, 0.1)

# Pseudo-observations behind each prior: how many outcomes it takes to move halfway.
OVERALL_PRIOR_STRENGTH = 4.0
CATEGORY_PRIOR_STRENGTH = 4.0
MODIFIER_PRIOR_STRENGTH = 10.0
# Pseudo-outcomes behind a category's affinity for the day's category mix (routines.shaping).
MIX_PRIOR_STRENGTH = 20.0
# Expected outcomes behind the difficulty modifier of the day's mode before it moves away
# from the user's difficulty modifier over all modes (energy as context).
MODE_MODIFIER_PRIOR_STRENGTH = 10.0
# The arm prior's strength is estimated per user (see _arm_prior_strength), within bounds,
# starting from a prior guess of the between-arm variance worth this many arms of evidence.
MIN_ARM_PRIOR_STRENGTH = 2.0
MAX_ARM_PRIOR_STRENGTH = 40.0
TAU2_PRIOR = 0.01
TAU2_PRIOR_ARMS = 5.0
# How much completion probability one unit of static fit is worth around a typical rate.
FIT_TO_PROBABILITY = 0.6
# Thompson draws are pulled toward the posterior mean as the user's lifetime outcomes grow,
# so exploration settles toward the selection's explicit floor instead of staying where the
# 28-day evidence window caps the posterior's narrowing (docs/simulation.md, the curve).
# 0.5 at the start, measured against 0.7 (the old discovery temperature): less harm in the
# first two weeks at low heterogeneity, the same week 4 at high (docs/simulation.md).
START_TEMPERATURE = 0.5
SETTLE_OUTCOMES = 150.0  # outcomes after which the temperature has fallen by 1/sqrt(2)
MIN_TEMPERATURE = 0.15
# A task longer than this many minutes is "long" (profiles.learning.SHORT_TASK_MINUTES).
SHORT_TASK_MINUTES = 10


def exploration_temperature(lifetime_outcomes: float) -> float:
    """How far Thompson draws stray from the posterior mean, shrinking with evidence."""
    settled = START_TEMPERATURE / math.sqrt(1.0 + max(0.0, lifetime_outcomes) / SETTLE_OUTCOMES)
    return max(MIN_TEMPERATURE, settled)


def duration_bucket(minutes: int) -> str:
    return "long" if minutes > SHORT_TASK_MINUTES else "short"


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """The parts of a score, so editors can see why a task won its slot."""

    archetype_part: float
    mode_part: float
    learned_part: float
    adjustment: float
    noise: float

    @property
    def total(self) -> float:
        return (
            self.archetype_part + self.mode_part + self.learned_part + self.adjustment + self.noise
        )


class Scorer(Protocol):
    policy: str

    def sample(
        self,
        candidates: Sequence[Candidate],
        time_of_day: str,
        rng: np.random.Generator,
        draws: int,
    ) -> np.ndarray:
        """Total scores, shape (len(candidates), draws)."""
        ...

    def breakdown(self, candidate: Candidate, time_of_day: str) -> ScoreBreakdown:
        """The expected parts of one candidate's score (noise at its mean)."""
        ...

    def expected(self, candidates: Sequence[Candidate], time_of_day: str) -> np.ndarray:
        """Expected total scores, cheap and deterministic: what a slot's shortlist uses."""
        ...


def static_fit(candidate: Candidate, archetype: str, mode: str) -> float:
    """Spec 1.3: 0.7 * archetype_fit + 0.3 * mode_fit (missing entries count as 0.5)."""
    return ARCHETYPE_WEIGHT * candidate.archetype_fit.get(
        archetype, 0.5
    ) + MODE_WEIGHT * candidate.mode_fit.get(mode, 0.5)


def mode_adjustment(candidate: Candidate, mode: str) -> float:
    """Low-energy days prefer easy, short tasks; medium days lean away from advanced ones."""
    if mode == Mode.LOW:
        penalty = {Difficulty.INTERMEDIATE: 0.15, Difficulty.ADVANCED: 0.3}.get(
            candidate.difficulty, 0.0
        )
        return -penalty - 0.005 * max(0, candidate.duration_minutes - 10)
    if mode == Mode.MEDIUM and candidate.difficulty == Difficulty.ADVANCED:
        return -0.1
    return 0.0


class StaticScorer:
    """The spec's scorer: static fit plus jitter in [0, 0.1). The baseline policy."""

    policy = "static-v1"

    def __init__(self, archetype: str, mode: str) -> None:
        self.archetype = archetype
        self.mode = mode
        self._fixed_cache: dict[str, float] = {}

    def _fixed(self, candidate: Candidate) -> float:
        value = self._fixed_cache.get(candidate.id)
        if value is None:
            value = static_fit(candidate, self.archetype, self.mode) + mode_adjustment(
                candidate, self.mode
            )
            self._fixed_cache[candidate.id] = value
        return value

    def expected(self, candidates: Sequence[Candidate], time_of_day: str) -> np.ndarray:
        return np.array([self._fixed(c) for c in candidates]) + JITTER / 2

    def sample(
        self,
        candidates: Sequence[Candidate],
        time_of_day: str,
        rng: np.random.Generator,
        draws: int,
    ) -> np.ndarray:
        fixed = np.array([self._fixed(c) for c in candidates])
        return fixed[:, None] + rng.random((len(candidates), draws)) * JITTER

    def breakdown(self, candidate: Candidate, time_of_day: str) -> ScoreBreakdown:
        return ScoreBreakdown(
            archetype_part=ARCHETYPE_WEIGHT * candidate.archetype_fit.get(self.archetype, 0.5),
            mode_part=MODE_WEIGHT * candidate.mode_fit.get(self.mode, 0.5),
            learned_part=0.0,
            adjustment=mode_adjustment(candidate, self.mode),
            noise=JITTER / 2,
        )


def _counts(evidence: dict, dimension: str, key: str) -> tuple[float, float]:
    done, seen = evidence.get(dimension, {}).get(key, (0, 0))
    return float(done), float(seen)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


class AdaptiveScorer:
    """Thompson sampling on Beta posteriors per subcategory ("arm"), static fit as prior.

    Evidence comes from profiles.learning.evidence: weighted [success, trials] per arm and
    category, and [success, expected] residuals for difficulty, part of day and duration.

    The static fit is on its own scale (0.6-0.95 for most tasks), not a probability, so it
    is never used as a prior mean directly: the prior mean of an arm is the user's own
    smoothed completion rate, moved by how much better or worse the arm's tasks fit the
    archetype than the library's average (FIT_TO_PROBABILITY per unit of fit). Category
    evidence shrinks it first, then the arm's own outcomes. A task's score is a draw from
    its arm's posterior, plus its own fit relative to its arm, scaled by how the user does
    at that difficulty and part of the day. With no evidence the ordering is exactly the
    static fit's; the learned draw takes over as profile confidence grows.
    """

    # v2: learns from the outcome model (silence, skip reasons, ratings, mode), residual
    # modifiers, settling exploration. v3: the plan's size and category mix follow the user
    # (routines.shaping), old evidence fades after a change of taste, difficulty per mode.
    # A new name keeps each version's logs apart.
    policy = "adaptive-v3"

    def __init__(
        self,
        archetype: str,
        mode: str,
        evidence: dict,
        confidence: float,
        lifetime_outcomes: float = 0.0,
        candidates: Sequence[Candidate] = (),
        daily_capacity: int | None = None,
    ) -> None:
        self.archetype = archetype
        self.mode = mode
        self.daily_capacity = daily_capacity
        self.evidence = evidence or {}
        self.confidence = min(1.0, max(0.0, confidence))
        self.temperature = exploration_temperature(lifetime_outcomes)
        done, seen = self.evidence.get("overall", (0, 0))
        self.overall_rate = (done + OVERALL_PRIOR_STRENGTH * 0.5) / (seen + OVERALL_PRIOR_STRENGTH)
        fits_by_arm: dict[str, list[float]] = {}
        fits_by_category: dict[str, list[float]] = {}
        self._fit: dict[str, float] = {}
        for cand in candidates:
            fit = self._fit[cand.id] = static_fit(cand, archetype, mode)
            fits_by_arm.setdefault(cand.arm, []).append(fit)
            fits_by_category.setdefault(cand.category, []).append(fit)
        self.library_fit = _mean([f for fits in fits_by_arm.values() for f in fits])
        self.arm_fit = {arm: _mean(fits) for arm, fits in fits_by_arm.items()}
        self.category_fit = {cat: _mean(fits) for cat, fits in fits_by_category.items()}
        self._arm_cache: dict[str, tuple[float, float]] = {}
        self._parts_cache: dict[str, tuple[float, float, float, float]] = {}
        self._time_rates: dict[str, float] = {}
        self._fixed_cache: dict[str, float] = {}
        self.arm_strength = self._arm_prior_strength()
        # What the day's category mix follows (routines.shaping); None before evidence.
        self.category_affinity = self._learned_category_affinity()

    def _arm_prior_strength(self) -> float:
        """Empirical Bayes: pool arms strongly unless the data shows they really differ.

        The spread of arm rates around their priors, less what binomial noise explains,
        estimates the between-arm variance tau^2; a Beta prior with that variance has
        strength p(1-p)/tau^2. Users who behave as their archetype predicts keep a strong
        prior (little exploration, no harm); users who stray get a weak one (fast learning).
        """
        rate = self.overall_rate
        excess, arms = 0.0, 0
        for arm, (done, seen) in self.evidence.get("arm", {}).items():
            if seen < 2:
                continue
            category = arm.split("/", 1)[0]
            prior = self._arm_prior(category, arm)
            excess += (done / seen - prior) ** 2 - rate * (1 - rate) / seen
            arms += 1
        tau2 = (excess + TAU2_PRIOR_ARMS * TAU2_PRIOR) / (arms + TAU2_PRIOR_ARMS)
        tau2 = max(tau2, 1e-4)
        return min(MAX_ARM_PRIOR_STRENGTH, max(MIN_ARM_PRIOR_STRENGTH, rate * (1 - rate) / tau2))

    def _clip(self, p: float) -> float:
        return min(0.97, max(0.03, p))

    def _category_prior(self, category: str) -> float:
        """The user's rate, moved by how well the category's tasks fit the archetype."""
        category_fit = self.category_fit.get(category, self.library_fit)
        return self._clip(
            self.overall_rate + FIT_TO_PROBABILITY * (category_fit - self.library_fit)
        )

    def _category_mean(self, category: str) -> float:
        """The category's prior, shrunk toward its own outcomes."""
        cat_done, cat_seen = _counts(self.evidence, "category", category)
        return (CATEGORY_PRIOR_STRENGTH * self._category_prior(category) + cat_done) / (
            CATEGORY_PRIOR_STRENGTH + cat_seen
        )

    def _learned_category_affinity(self) -> dict[str, float] | None:
        """What the day's category mix follows (routines.shaping): the user's rate moved by
        what each category's outcomes taught, fit aside, so that before any evidence every
        category scores alike and the layout keeps its designed mix. None before then."""
        categories = self.evidence.get("category")
        if not categories or self.confidence <= 0.0:
            return None
        affinity = {}
        for category in sorted({*self.category_fit, *categories}):
            prior = self._category_prior(category)
            done, seen = _counts(self.evidence, "category", category)
            # Shrunk harder than the scorer's own category mean: moving a slot to another
            # category changes the plan's shape for days, so a few unlucky outcomes in the
            # first week must not do it (measured: week 1 at low heterogeneity).
            learned = (done + MIX_PRIOR_STRENGTH * prior) / (seen + MIX_PRIOR_STRENGTH)
            affinity[category] = round(self.overall_rate + learned - prior, 4)
        return affinity

    def _arm_prior(self, category: str, arm: str) -> float:
        """The arm's prior mean: the user's rate, moved by fit, shrunk by category evidence."""
        category_fit = self.category_fit.get(category, self.library_fit)
        arm_fit = self.arm_fit.get(arm, category_fit)
        # Partial pooling (empirical Bayes): the category's mean includes this arm's own
        # outcomes. Leaving them out (so each outcome counts once) was measured and is worse
        # with the 2-6 subcategories a category has: the siblings' outcomes then set the
        # prior, and a worse arm beside a better one inherits the better one's rate
        # (README, "Adaptive selection"; lab/exploration.py).
        return self._clip(
            self._category_mean(category) + FIT_TO_PROBABILITY * (arm_fit - category_fit)
        )

    def arm_posterior(self, cand: Candidate) -> tuple[float, float]:
        """(alpha, beta) of the arm's completion probability."""
        if cand.arm in self._arm_cache:
            return self._arm_cache[cand.arm]
        arm_prior = self._arm_prior(cand.category, cand.arm)
        arm_done, arm_seen = _counts(self.evidence, "arm", cand.arm)
        alpha = self.arm_strength * arm_prior + arm_done
        beta = self.arm_strength * (1.0 - arm_prior) + max(0.0, arm_seen - arm_done)
        self._arm_cache[cand.arm] = (alpha, beta)
        return alpha, beta

    def learned_arm_shift(self, cand: Candidate) -> float:
        """How far the user's own outcomes of the arm moved its mean from the arm's prior:
        negative, the arm is drawn less often than with nothing learned about it."""
        alpha, beta = self.arm_posterior(cand)
        return alpha / (alpha + beta) - self._arm_prior(cand.category, cand.arm)

    def _relative_rate(self, dimension: str, key: str) -> float:
        """Observed over arm-predicted completions for a modifier, shrunk toward 1."""
        done, expected = _counts(self.evidence, dimension, key)
        return (done + MODIFIER_PRIOR_STRENGTH) / (expected + MODIFIER_PRIOR_STRENGTH)

    def _difficulty_rate(self, difficulty: str) -> float:
        """The difficulty modifier on a day of this mode: what the user does at this
        difficulty on such days, shrunk toward what they do at it on any day. Users who
        finish hard tasks only on high-energy days get them on those days only.

        The prior is what the *other* modes' outcomes say (shrunk toward 1): a user seen on
        one mode only keeps exactly the all-mode modifier. Shrinking toward the all-mode
        modifier itself would use this mode's outcomes twice and overreact (measured: 2.5
        points of completion lost in the standard world, mixed client)."""
        all_done, all_expected = _counts(self.evidence, "difficulty", difficulty)
        done, expected = _counts(self.evidence, "difficulty_by_mode", f"{self.mode}/{difficulty}")
        others = (max(0.0, all_done - done) + MODIFIER_PRIOR_STRENGTH) / (
            max(0.0, all_expected - expected) + MODIFIER_PRIOR_STRENGTH
        )
        return (done + MODE_MODIFIER_PRIOR_STRENGTH * others) / (
            expected + MODE_MODIFIER_PRIOR_STRENGTH
        )

    def _learned_parts(
        self, candidates: Sequence[Candidate], time_of_day: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per candidate: alpha, beta, the fit offset within its arm, and the modifier.

        A plan asks for the same candidates in several slots (shortlist, draws), so each
        candidate's parts are computed once per scorer.
        """
        parts = [self._candidate_parts(cand) for cand in candidates]
        if time_of_day not in self._time_rates:
            self._time_rates[time_of_day] = self._relative_rate("time_of_day", time_of_day)
        alpha, beta, offset, modifier = np.array(parts).reshape(len(candidates), 4).T
        return alpha, beta, offset, modifier * self._time_rates[time_of_day]

    def _candidate_parts(self, cand: Candidate) -> tuple[float, float, float, float]:
        parts = self._parts_cache.get(cand.id)
        if parts is None:
            alpha, beta = self.arm_posterior(cand)
            fit = self.fit(cand)
            parts = self._parts_cache[cand.id] = (
                alpha,
                beta,
                FIT_TO_PROBABILITY * (fit - self.arm_fit.get(cand.arm, fit)),
                self._difficulty_rate(cand.difficulty)
                * self._relative_rate("duration", duration_bucket(cand.duration_minutes)),
            )
        return parts

    def sample(
        self,
        candidates: Sequence[Candidate],
        time_of_day: str,
        rng: np.random.Generator,
        draws: int,
    ) -> np.ndarray:
        alpha, beta, offset, modifier = self._learned_parts(candidates, time_of_day)
        mean = alpha / (alpha + beta)
        shape = (len(candidates), draws)
        # One call per candidate draws the very numbers of one broadcast call (row by row
        # from the same generator) about a fifth faster: the draws are most of the cost of
        # replaying logged slots (feedback/evaluation.py).
        theta = np.array([rng.beta(a, b, draws) for a, b in zip(alpha, beta, strict=True)])
        theta = theta.reshape(shape)
        theta = mean[:, None] + (theta - mean[:, None]) * self.temperature
        learned = np.clip((theta + offset[:, None]) * modifier[:, None], 0.0, 1.0)
        jitter = (1.0 - self.confidence) * rng.random(shape) * JITTER
        return self._fixed(candidates)[:, None] + jitter + self.confidence * learned

    def fit(self, candidate: Candidate) -> float:
        value = self._fit.get(candidate.id)
        if value is None:
            value = self._fit[candidate.id] = static_fit(candidate, self.archetype, self.mode)
        return value

    def _fixed(self, candidates: Sequence[Candidate]) -> np.ndarray:
        return np.array([self._fixed_part(c) for c in candidates])

    def _fixed_part(self, cand: Candidate) -> float:
        value = self._fixed_cache.get(cand.id)
        if value is None:
            value = (1.0 - self.confidence) * self.fit(cand) + mode_adjustment(cand, self.mode)
            self._fixed_cache[cand.id] = value
        return value

    def expected(self, candidates: Sequence[Candidate], time_of_day: str) -> np.ndarray:
        alpha, beta, offset, modifier = self._learned_parts(candidates, time_of_day)
        learned = np.clip((alpha / (alpha + beta) + offset) * modifier, 0.0, 1.0)
        noise = (1.0 - self.confidence) * JITTER / 2
        return self._fixed(candidates) + noise + self.confidence * learned

    def learned_mean(self, candidate: Candidate, time_of_day: str) -> float:
        alpha, beta, offset, modifier = self._learned_parts([candidate], time_of_day)
        mean = alpha[0] / (alpha[0] + beta[0])
        return float(min(1.0, max(0.0, (mean + offset[0]) * modifier[0])))

    def breakdown(self, candidate: Candidate, time_of_day: str) -> ScoreBreakdown:
        static_weight = 1.0 - self.confidence
        return ScoreBreakdown(
            archetype_part=static_weight
            * ARCHETYPE_WEIGHT
            * candidate.archetype_fit.get(self.archetype, 0.5),
            mode_part=static_weight * MODE_WEIGHT * candidate.mode_fit.get(self.mode, 0.5),
            learned_part=self.confidence * self.learned_mean(candidate, time_of_day),
            adjustment=mode_adjustment(candidate, self.mode),
            noise=static_weight * JITTER / 2,
        )
