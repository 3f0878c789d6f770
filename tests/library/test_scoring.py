"""The adaptive scorer on plain data (no database)."""

import numpy as np
import pytest

from library.candidates import Candidate
from library.scoring import (
    MIN_TEMPERATURE,
    START_TEMPERATURE,
    AdaptiveScorer,
    StaticScorer,
    exploration_temperature,
)

ARCHETYPE = "Foundation Builder"


def candidate(cid, sub="tea", minutes=5, difficulty="beginner", fit=0.8, category="hydration"):
    return Candidate(
        id=cid,
        category=category,
        subcategory=sub,
        name=cid,
        description="",
        duration_minutes=minutes,
        difficulty=difficulty,
        variation_group=f"{category}_{sub}",
        time_of_day="any",
        archetype_fit={ARCHETYPE: fit},
        mode_fit={"medium": 0.5},
    )


POOL = [
    candidate("tea-1", "tea", fit=0.8),
    candidate("tea-2", "tea", fit=0.7, minutes=20),
    candidate("water-1", "water", fit=0.9),
    candidate("water-2", "water", fit=0.6),
]


def test_exploration_settles_with_lifetime_outcomes_down_to_a_floor():
    curve = [exploration_temperature(n) for n in (0, 50, 150, 450, 1500, 10_000)]
    assert curve[0] == START_TEMPERATURE
    assert curve == sorted(curve, reverse=True)
    assert exploration_temperature(150) == pytest.approx(START_TEMPERATURE / 2**0.5)
    assert curve[-1] == MIN_TEMPERATURE


def test_without_evidence_the_adaptive_order_is_the_static_order():
    adaptive = AdaptiveScorer(ARCHETYPE, "medium", {}, 0.0, 0, POOL)
    static = StaticScorer(ARCHETYPE, "medium")
    assert list(np.argsort(adaptive.expected(POOL, "morning"))) == list(
        np.argsort(static.expected(POOL, "morning"))
    )


def test_an_arms_own_outcomes_are_not_counted_again_in_its_prior():
    """All of the category's evidence is the arm's own: its prior must equal the prior of
    a user with no evidence at all (the outcomes count once, in the posterior)."""
    overall = {"overall": [5, 10]}
    only_arm = {
        **overall,
        "category": {"hydration": [9, 10]},
        "arm": {"hydration/tea": [9, 10]},
    }
    without = AdaptiveScorer(ARCHETYPE, "medium", overall, 1.0, 0, POOL)
    with_arm = AdaptiveScorer(ARCHETYPE, "medium", only_arm, 1.0, 0, POOL)
    assert with_arm._arm_prior("hydration", "hydration/tea") == pytest.approx(
        without._arm_prior("hydration", "hydration/tea")
    )
    # ... while a sibling arm's prior does learn from the category.
    assert with_arm._arm_prior("hydration", "hydration/water") != pytest.approx(
        without._arm_prior("hydration", "hydration/water")
    )


def test_no_time_evidence_lowers_long_tasks_against_short_ones():
    evidence = {"overall": [10, 20], "duration": {"long": [0.0, 6.0], "short": [6.0, 6.0]}}
    neutral = AdaptiveScorer(ARCHETYPE, "medium", {"overall": [10, 20]}, 1.0, 0, POOL)
    pressed = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, 0, POOL)
    long_task, short_task = POOL[1], POOL[0]
    assert pressed.learned_mean(long_task, "morning") < neutral.learned_mean(long_task, "morning")
    assert pressed.learned_mean(short_task, "morning") >= neutral.learned_mean(
        short_task, "morning"
    )


def test_draws_narrow_as_the_user_accumulates_outcomes():
    evidence = {"overall": [10, 20], "arm": {"hydration/tea": [5, 10]}}
    rng = np.random.default_rng(0)
    young = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, 0, POOL)
    seasoned = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, 3000, POOL)
    spread_young = young.sample(POOL, "morning", rng, 2000).std(axis=1)
    spread_seasoned = seasoned.sample(POOL, "morning", rng, 2000).std(axis=1)
    assert (spread_seasoned < spread_young).all()
