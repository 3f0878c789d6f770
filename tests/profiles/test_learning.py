"""The pure learning functions on hand-computed examples."""

from datetime import date, timedelta

import pytest

from profiles.learning import OutcomeGroup, learn, next_phase, smoothed, streaks

D = date(2026, 11, 24)


def group(category="movement", sub="yoga", difficulty="beginner", tod="morning", seen=1, done=1):
    return OutcomeGroup(category, sub, difficulty, tod, seen, done)


def test_one_observation_does_not_swing_an_affinity_to_the_extremes():
    assert smoothed(1, 1) == pytest.approx(0.6)  # (1 + 4 * 0.5) / (1 + 4)
    assert smoothed(0, 1) == pytest.approx(0.4)
    learned = learn([group(seen=1, done=0)], 0)
    assert learned.category_affinity["movement"] == pytest.approx(0.4)
    assert learned.subcategory_affinity == {"yoga": pytest.approx(0.4)}


def test_affinity_converges_to_the_observed_rate_with_evidence():
    learned = learn([group(seen=40, done=36)], 0)
    assert learned.category_affinity["movement"] == pytest.approx((36 + 2) / 44, abs=1e-4)
    assert learned.category_affinity["movement"] > 0.85


def test_hand_computed_profile():
    groups = [
        group("movement", "outdoor", "beginner", "morning", seen=9, done=8),
        group("movement", "yoga", "intermediate", "evening", seen=3, done=1),
        group("hydration", "water", "beginner", "morning", seen=5, done=5),
        group("work", "deep_work", "advanced", "morning", seen=2, done=0),
        group("work", None, None, "any", seen=1, done=1),  # a static-plan item
    ]
    learned = learn(groups, unique_tasks_completed=10)
    assert learned.category_affinity["movement"] == pytest.approx((9 + 2) / (12 + 4), abs=1e-4)
    assert learned.category_affinity["hydration"] == pytest.approx(7 / 9, abs=1e-4)
    assert learned.category_affinity["work"] == pytest.approx(3 / 7, abs=1e-4)
    assert learned.category_affinity["focus"] == 0.5  # no evidence: the prior
    assert learned.subcategory_affinity["outdoor"] == pytest.approx(10 / 13, abs=1e-4)
    assert learned.time_of_day_performance["morning"] == pytest.approx(
        (13 + 2) / (16 + 4), abs=1e-4
    )
    assert learned.time_of_day_performance["evening"] == pytest.approx(3 / 7, abs=1e-4)
    assert learned.time_of_day_performance["afternoon"] == 0.5
    # complexity: intermediate weight 1 (1 of 3), advanced weight 2 (0 of 2) -> (1+2)/(7+4)
    assert learned.complexity_tolerance == pytest.approx(3 / 11, abs=1e-4)
    assert learned.completion_rate == pytest.approx(15 / 20)
    assert learned.profile_confidence == pytest.approx(20 / 50)
    assert learned.variety_seeking_score == pytest.approx(0.5)
    assert learned.evidence["arm"]["movement/outdoor"] == [8, 9]
    assert learned.evidence["overall"] == [15, 20]


def test_confidence_caps_at_one():
    assert learn([group(seen=80, done=40)], 0).profile_confidence == 1.0


def test_no_outcomes_gives_the_defaults():
    learned = learn([], 0)
    assert set(learned.category_affinity.values()) == {0.5}
    assert learned.completion_rate == 0.0
    assert learned.profile_confidence == 0.0


def test_streaks_count_consecutive_days():
    days = [D - timedelta(days=n) for n in (0, 1, 2, 5, 6, 7, 8)]
    assert streaks(days, D) == (3, 4)


def test_streak_survives_today_not_finished_yet():
    days = [D - timedelta(days=n) for n in (1, 2)]
    assert streaks(days, D) == (2, 2)


def test_streak_breaks_after_a_gap():
    days = [D - timedelta(days=n) for n in (2, 3, 4)]
    assert streaks(days, D) == (0, 3)


def test_streaks_with_duplicates_and_no_days():
    assert streaks([D, D, D - timedelta(days=1)], D) == (2, 2)
    assert streaks([], D) == (0, 0)


@pytest.mark.parametrize(
    "start,outcomes,days,confidence,expected",
    [
        ("discovery", 29, 10, 0.6, "discovery"),
        ("discovery", 30, 4, 0.6, "discovery"),
        ("discovery", 30, 5, 0.6, "establishment"),
        ("establishment", 150, 21, 0.99, "establishment"),
        ("establishment", 150, 21, 1.0, "mastery"),
        ("discovery", 400, 40, 1.0, "mastery"),
        ("mastery", 0, 0, 0.0, "mastery"),  # never backwards
    ],
)
def test_learning_phase_transitions(start, outcomes, days, confidence, expected):
    assert next_phase(start, outcomes, days, confidence) == expected
