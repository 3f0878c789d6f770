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


def test_a_worse_kind_of_task_beside_a_better_one_never_inherits_its_rate():
    """Two kinds in a category, completed 6 of 10 and 4 of 10: the better one scores
    higher. (Leaving an arm's own outcomes out of its category's mean would give each arm
    its sibling's rate as prior and rank them the wrong way round.)"""
    evidence = {
        "overall": [10, 20],
        "category": {"hydration": [10, 20]},
        "arm": {"hydration/tea": [6, 10], "hydration/water": [4, 10]},
    }
    same_fit = [candidate("tea-1", "tea", fit=0.8), candidate("water-1", "water", fit=0.8)]
    scorer = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, 200, same_fit)
    tea, water = scorer.expected(same_fit, "morning")
    assert tea > water
    assert scorer.arm_posterior(same_fit[0])[0] > scorer.arm_posterior(same_fit[1])[0]


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


MIXED_POOL = [
    candidate("tea-1", "tea", fit=0.8),
    candidate("yoga-1", "yoga", fit=0.8, category="movement"),
    candidate("walk-1", "walk", fit=0.8, category="movement"),
]


def test_no_category_affinity_before_any_evidence():
    scorer = AdaptiveScorer(ARCHETYPE, "medium", {}, 0.0, candidates=MIXED_POOL)
    assert scorer.category_affinity is None


def test_category_affinity_follows_each_categorys_outcomes_not_its_fit():
    evidence = {
        "overall": [60, 120],
        "category": {"hydration": [54, 60], "movement": [6, 60]},
    }
    scorer = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, candidates=MIXED_POOL)
    affinity = scorer.category_affinity
    assert affinity["hydration"] > 0.75 > 0.25 > affinity["movement"]
    # A category without outcomes sits at the user's own rate.
    evidence["category"]["focus"] = [0, 0]
    scorer = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, candidates=MIXED_POOL)
    assert scorer.category_affinity["focus"] == pytest.approx(scorer.overall_rate, abs=1e-4)


def test_hard_tasks_on_high_days_only_for_users_who_finish_them_only_then():
    hard = candidate("hiit", "hiit", difficulty="advanced", category="movement")
    evidence = {
        "overall": [40, 80],
        "difficulty": {"advanced": [10, 20]},
        "difficulty_by_mode": {"high/advanced": [10, 5], "medium/advanced": [0, 15]},
    }
    high = AdaptiveScorer(ARCHETYPE, "high", evidence, 1.0, candidates=[hard])
    medium = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, candidates=[hard])
    low = AdaptiveScorer(ARCHETYPE, "low", evidence, 1.0, candidates=[hard])
    on_high, on_medium, on_low = (s._difficulty_rate("advanced") for s in (high, medium, low))
    assert on_high > 0.9 > 0.6 > on_medium
    # No evidence for low days: the user's difficulty modifier over all days.
    assert on_low == pytest.approx(high._relative_rate("difficulty", "advanced"))
    assert high.learned_mean(hard, "any") > medium.learned_mean(hard, "any")


def test_a_user_seen_on_one_mode_keeps_the_all_mode_difficulty_modifier():
    hard = candidate("hiit", "hiit", difficulty="advanced", category="movement")
    evidence = {
        "overall": [40, 80],
        "difficulty": {"advanced": [20, 40]},
        "difficulty_by_mode": {"medium/advanced": [20, 40]},
    }
    medium = AdaptiveScorer(ARCHETYPE, "medium", evidence, 1.0, candidates=[hard])
    assert medium._difficulty_rate("advanced") == pytest.approx(
        medium._relative_rate("difficulty", "advanced")
    )


def test_the_scorer_carries_the_learned_capacity_for_the_planner():
    assert AdaptiveScorer(ARCHETYPE, "low", {}, 0.0, daily_capacity=7).daily_capacity == 7
    assert not hasattr(StaticScorer(ARCHETYPE, "low"), "daily_capacity")
