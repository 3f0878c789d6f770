"""The pure learning functions on hand-computed examples."""

from datetime import date, timedelta

import pytest

from profiles.learning import (
    OutcomeGroup,
    evidence,
    learn,
    next_phase,
    rating_reward,
    smoothed,
    streaks,
    teaching,
)

D = date(2026, 11, 24)


def group(category="movement", sub="yoga", difficulty="beginner", tod="morning", seen=1, done=1):
    """`done` completions and `seen - done` explicit skips (no reason) of one kind."""
    groups = []
    if done:
        groups.append(OutcomeGroup(category, sub, difficulty, tod, "completed", done))
    if seen - done:
        groups.append(OutcomeGroup(category, sub, difficulty, tod, "skipped", seen - done))
    return groups


def test_one_observation_does_not_swing_an_affinity_to_the_extremes():
    assert smoothed(1, 1) == pytest.approx(0.6)  # (1 + 4 * 0.5) / (1 + 4)
    assert smoothed(0, 1) == pytest.approx(0.4)
    learned = learn(group(seen=1, done=0), 0)
    assert learned.category_affinity["movement"] == pytest.approx(0.4)
    assert learned.subcategory_affinity == {"yoga": pytest.approx(0.4)}


def test_affinity_converges_to_the_observed_rate_with_evidence():
    learned = learn(group(seen=40, done=36), 0)
    assert learned.category_affinity["movement"] == pytest.approx((36 + 2) / 44, abs=1e-4)
    assert learned.category_affinity["movement"] > 0.85


def test_hand_computed_profile():
    groups = [
        *group("movement", "outdoor", "beginner", "morning", seen=9, done=8),
        *group("movement", "yoga", "intermediate", "evening", seen=3, done=1),
        *group("hydration", "water", "beginner", "morning", seen=5, done=5),
        *group("work", "deep_work", "advanced", "morning", seen=2, done=0),
        *group("work", None, None, "any", seen=1, done=1),  # a static-plan item
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


def test_silence_is_a_weaker_negative_than_a_skip():
    unanswered = [OutcomeGroup("focus", "reading", "beginner", "evening", "unanswered", 5)]
    learned = learn(unanswered, 0)
    # 5 unanswered weigh 5 * 0.8 = 4 trials: (0 + 2) / (4 + 4)
    assert learned.category_affinity["focus"] == pytest.approx(2 / 8)
    assert learned.completion_rate == 0.0  # people count it as not done, unweighted
    assert learned.evidence["overall"] == [0, 4.0]


def test_too_hard_teaches_difficulty_more_than_the_kind_of_task():
    skip = OutcomeGroup(
        "movement", "strength", "advanced", "morning", "skipped", 2, skip_reason="too_hard"
    )
    learned = learn([skip], 0)
    # the arm sees 2 * 0.5 = 1 trial: (0 + 2) / (1 + 4); difficulty 2 * 2 = 4 trials,
    # advanced counts double in complexity: (0 + 2) / (8 + 4)
    assert learned.subcategory_affinity["strength"] == pytest.approx(2 / 5)
    assert learned.complexity_tolerance == pytest.approx(2 / 12, abs=1e-4)
    assert learned.evidence["arm"]["movement/strength"] == [0, 1.0]


def test_no_time_teaches_duration_and_not_interested_the_kind():
    no_time = OutcomeGroup(
        "focus", "reading", "beginner", "evening", "skipped", 1, "no_time", duration="long"
    )
    bored = OutcomeGroup(
        "focus", "learning", "beginner", "evening", "skipped", 1, "not_interested", duration="short"
    )
    assert teaching(no_time)["duration"] == (0.0, 2.0)
    assert teaching(no_time)["arm"] == (0.0, 0.5)
    assert teaching(bored)["arm"] == (0.0, 2.0)
    assert teaching(bored)["duration"] == (0.0, 0.5)
    evidence = learn([no_time, bored], 0).evidence
    assert evidence["duration"]["long"][0] == 0 and evidence["duration"]["long"][1] > 0


def test_a_rating_scales_a_completions_reward_for_the_kind_of_task():
    assert rating_reward(None) == 1.0
    assert rating_reward(5) == 1.0
    assert rating_reward(1) == pytest.approx(0.6)
    assert rating_reward(3) == pytest.approx(0.8)
    rated = OutcomeGroup("hydration", "tea", "beginner", "morning", "completed", 2, rating=1)
    assert teaching(rated)["arm"] == (pytest.approx(1.2), 2)
    assert teaching(rated)["difficulty"] == (2, 2)  # a completion is a completion
    learned = learn([rated], 0)
    assert learned.subcategory_affinity["tea"] == pytest.approx((1.2 + 2) / (2 + 4), abs=1e-4)


def test_a_low_energy_day_discounts_what_a_failed_hard_task_says_about_difficulty():
    low = OutcomeGroup("movement", "strength", "advanced", "morning", "skipped", 1, mode="low")
    high = OutcomeGroup("movement", "strength", "advanced", "morning", "skipped", 1, mode="high")
    easy_low = OutcomeGroup("movement", "walk", "beginner", "morning", "skipped", 1, mode="low")
    assert teaching(low)["difficulty"] == (0.0, 0.5)
    assert teaching(high)["difficulty"] == (0.0, 1.0)
    assert teaching(easy_low)["difficulty"] == (0.0, 1.0)  # beginner: no discount


def test_modifier_evidence_is_residual_to_the_arms():
    """A user who fails every advanced task of an arm they also fail: the arm explains it,
    so the difficulty modifier stays near what the arm predicts."""
    groups = [
        *group("movement", "strength", "advanced", "morning", seen=6, done=0),
        *group("hydration", "water", "beginner", "morning", seen=6, done=6),
    ]
    evidence = learn(groups, 0).evidence
    done, expected = evidence["difficulty"]["advanced"]
    assert done == 0
    # arm rate (0 + 4 * overall) / (6 + 4), overall = (6 + 2) / (12 + 4) = 0.5 -> 0.2 each
    assert expected == pytest.approx(6 * 0.2, abs=1e-3)


def test_confidence_caps_at_one():
    assert learn(group(seen=80, done=40), 0).profile_confidence == 1.0


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


def test_learn_sizes_the_plan_from_completions_per_active_day():
    groups = [
        OutcomeGroup("movement", "walk", "beginner", "morning", "completed", 30),
        OutcomeGroup("focus", "deep", "beginner", "morning", "unanswered", 100),
        OutcomeGroup("focus", "deep", "beginner", "morning", "skipped", 20, "no_time"),
    ]
    assert learn(groups, 0).daily_capacity is None  # active days unknown: not learned
    learned = learn(groups, 0, active_days=10)
    # 3 completions a day / 0.35, less 2 "no time" skips a day.
    assert learned.daily_capacity == 7


def _reversal_groups(fresh_done: bool) -> list[OutcomeGroup]:
    groups = []
    for index in range(6):
        sub = f"kind{index}"
        liked = index % 2 == 0
        old_state = "completed" if liked else "skipped"
        new_state = "completed" if liked == fresh_done else "skipped"
        groups.append(OutcomeGroup("movement", sub, "beginner", "morning", old_state, 12))
        groups.append(
            OutcomeGroup("movement", sub, "beginner", "morning", new_state, 5, weeks_ago=0)
        )
    return groups


def test_after_a_change_of_taste_the_fresh_week_outweighs_the_weeks_before():
    stable = evidence(_reversal_groups(fresh_done=True))
    reversed_ = evidence(_reversal_groups(fresh_done=False))
    assert stable["forgetting"]["old_weight"] == 1.0
    assert reversed_["forgetting"]["old_weight"] < 0.5
    # kind1 was skipped for weeks and completed in the fresh week: now a favourite.
    done, seen = reversed_["arm"]["movement/kind1"]
    assert done / seen > 0.5
    done, seen = stable["arm"]["movement/kind1"]
    assert done / seen == 0.0


def test_difficulty_is_also_learned_per_mode():
    groups = [
        OutcomeGroup("movement", "hiit", "advanced", "morning", "completed", 8, mode="high"),
        OutcomeGroup("movement", "hiit", "advanced", "morning", "skipped", 8, mode="medium"),
    ]
    by_mode = evidence(groups)["difficulty_by_mode"]
    assert by_mode["high/advanced"][0] == 8
    assert by_mode["medium/advanced"][0] == 0
    assert by_mode["high/advanced"][1] == by_mode["medium/advanced"][1]  # same expectation
