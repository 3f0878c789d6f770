"""Old evidence fades only when the user's tastes changed (pure)."""

import random

import pytest

from profiles.forgetting import (
    CHANGE_AT,
    CHANGE_FROM,
    OLD_WEIGHT_AFTER_CHANGE,
    forgetting,
    old_weight,
)


def test_nothing_to_compare_keeps_everything():
    assert forgetting({}, {}).old_weight == 1.0
    only_fresh = forgetting({"movement/yoga": (3, 5)}, {})
    assert only_fresh.arms_compared == 0 and not only_fresh.changed


def test_arms_with_too_few_outcomes_are_not_compared():
    result = forgetting({"a": (2, 2)}, {"a": (0, 20)})
    assert result.arms_compared == 0 and result.old_weight == 1.0


def test_a_reversal_is_detected_and_old_outcomes_fade():
    fresh = {f"arm{i}": (1, 8) if i % 2 else (7, 8) for i in range(8)}
    older = {f"arm{i}": (20, 24) if i % 2 else (4, 24) for i in range(8)}
    result = forgetting(fresh, older)
    assert result.arms_compared == 8
    assert result.changed
    assert result.old_weight == OLD_WEIGHT_AFTER_CHANGE


def test_stable_tastes_keep_their_old_evidence():
    rng = random.Random(3)
    false_alarms = 0
    for _ in range(200):
        fresh, older = {}, {}
        for arm in range(12):
            p = rng.uniform(0.2, 0.8)
            fresh[f"a{arm}"] = (sum(rng.random() < p for _ in range(6)), 6)
            older[f"a{arm}"] = (sum(rng.random() < p for _ in range(18)), 18)
        false_alarms += forgetting(fresh, older).changed
    assert false_alarms <= 200 * 0.05


def test_weight_falls_linearly_between_the_thresholds():
    assert old_weight(0.0) == 1.0
    assert old_weight(CHANGE_FROM) == 1.0
    middle = (CHANGE_FROM + CHANGE_AT) / 2
    assert old_weight(middle) == pytest.approx((1.0 + OLD_WEIGHT_AFTER_CHANGE) / 2)
    assert old_weight(CHANGE_AT + 5) == OLD_WEIGHT_AFTER_CHANGE
