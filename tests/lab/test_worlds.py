"""The worlds' hidden probabilities (lab/worlds.py) and the oracle's view of them. Pure."""

import math
from collections import Counter

import pytest

from lab.clients import LivedItem, skip_reason
from lab.oracle import OracleScorer
from lab.worlds import (
    CAPACITY_RANGE,
    HETEROGENEITY,
    MOVEMENT_INJURED,
    MOVEMENT_LOVED,
    STANDARD,
    SWITCH_OFFSET,
    WORLDS,
    Day,
    WorldUser,
    category_affinity,
    make_users,
    make_world_users,
)
from library.candidates import Candidate


def _task(task_id, category="focus", subcategory="reading", difficulty="beginner", **extra):
    return Candidate(
        id=task_id,
        category=category,
        subcategory=subcategory,
        name=task_id,
        description="",
        duration_minutes=extra.get("duration", 5),
        difficulty=difficulty,
        variation_group=task_id,
        time_of_day=extra.get("time_of_day", "morning"),
        archetype_fit={},
        mode_fit={},
    )


LIBRARY = [
    _task("read-1"),
    _task("read-2"),
    _task("walk", "movement", "outdoor"),
    _task("yoga", "movement", "yoga", "intermediate", time_of_day="any"),
    _task("sprint", "movement", "outdoor", "advanced"),
]
SPREAD = HETEROGENEITY["medium"]


def _people(world, count=30, seed=3):
    return make_world_users(world, count, seed, SPREAD, LIBRARY)


def _day(offset=0, mode="medium", plan_size=None):
    return Day(offset, mode, plan_size)


def test_every_world_lives_on_the_standard_users():
    arms = sorted({c.arm for c in LIBRARY})
    base = make_users(30, 3, SPREAD, arms)
    for world in WORLDS:
        assert [person.user for person in _people(world)] == base
    with pytest.raises(ValueError):
        make_world_users("moon", 1, 3, SPREAD, LIBRARY)


def test_standard_world_is_the_plain_user():
    for person in _people(STANDARD):
        for task in LIBRARY:
            for offset, size in ((0, None), (20, 30)):
                day = _day(offset, "low", size)
                assert person.probability(task, "evening", day) == person.user.probability(
                    task, "evening"
                )
                assert person.contributions(task, "evening", day) == person.user.contributions(
                    task, "evening"
                )
        assert person.day_mode(3, 5) is None and person.capacity is None


def test_load_scales_every_task_by_capacity_over_plan_size_squared():
    people = _people("load", count=200)
    capacities = [person.capacity for person in people]
    assert min(capacities) == CAPACITY_RANGE[0] and max(capacities) == CAPACITY_RANGE[1]
    person = WorldUser("load", people[0].user, capacity=6)
    task = LIBRARY[0]
    relaxed = person.probability(task, "morning", _day(plan_size=6))
    assert person.probability(task, "morning", _day(plan_size=4)) == relaxed
    assert person.probability(task, "morning", _day(plan_size=12)) == pytest.approx(relaxed / 4)
    assert person.probability(task, "morning", _day(plan_size=9)) == pytest.approx(
        relaxed * (6 / 9) ** 2
    )
    assert "load" not in person.contributions(task, "morning", _day(plan_size=6))
    assert person.contributions(task, "morning", _day(plan_size=12))["load"] == pytest.approx(
        math.log(0.25)
    )


def test_reversal_flips_every_taste_from_day_14():
    for person in _people("reversal"):
        for task in LIBRARY:
            before = person.contributions(task, "morning", _day(SWITCH_OFFSET - 1))["taste"]
            after = person.contributions(task, "morning", _day(SWITCH_OFFSET))["taste"]
            assert before == person.user.taste[task.arm] and after == -before
            p_before = person.probability(task, "morning", _day(SWITCH_OFFSET - 1))
            p_after = person.probability(task, "morning", _day(SWITCH_OFFSET + 5))
            assert (p_after < p_before) == (before > 0)


def test_injury_loves_movement_then_collapses_it():
    person = _people("injury")[0]
    walk, read = LIBRARY[2], LIBRARY[0]
    taste = person.user.taste[walk.arm]
    assert person.contributions(walk, "morning", _day(13))["taste"] == taste + MOVEMENT_LOVED
    assert person.contributions(walk, "morning", _day(14))["taste"] == taste + MOVEMENT_INJURED
    assert person.probability(walk, "morning", _day(20)) < person.probability(
        walk, "morning", _day(13)
    )
    # Other categories do not change.
    assert person.probability(read, "morning", _day(20)) == person.probability(
        read, "morning", _day(13)
    )


def test_mode_difficulty_draws_a_mode_each_day_and_punishes_hard_tasks_off_high_days():
    person = _people("mode_difficulty")[0]
    modes = Counter(person.day_mode(3, offset) for offset in range(4000))
    assert modes["low"] / 4000 == pytest.approx(0.25, abs=0.03)
    assert modes["medium"] / 4000 == pytest.approx(0.5, abs=0.03)
    assert modes["high"] / 4000 == pytest.approx(0.25, abs=0.03)
    assert person.day_mode(3, 7) == person.day_mode(3, 7)  # a fixed coin
    assert _people("load")[0].day_mode(3, 7) is None
    sprint, yoga, read = LIBRARY[4], LIBRARY[3], LIBRARY[0]
    base = person.user.difficulty_effect
    part = lambda task, mode: person.contributions(task, "morning", _day(0, mode))["difficulty"]  # noqa: E731
    assert part(sprint, "low") == part(sprint, "medium") == base["advanced"] - 2.5
    assert part(sprint, "high") == base["advanced"] + 0.5
    assert part(yoga, "medium") == base["intermediate"] - 1.25
    assert part(yoga, "high") == base["intermediate"] + 0.25
    assert part(read, "low") == part(read, "high") == 0.0
    assert person.probability(sprint, "morning", _day(0, "high")) > person.probability(
        sprint, "morning", _day(0, "medium")
    )


def test_task_taste_belongs_to_each_task_not_its_subcategory():
    people = _people("task_taste", count=50)
    read_1, read_2 = LIBRARY[0], LIBRARY[1]
    for person in people:
        assert (
            person.contributions(read_1, "morning", _day())["taste"]
            == (person.task_taste["read-1"])
        )
    gaps = [abs(p.task_taste["read-1"] - p.task_taste["read-2"]) for p in people]
    assert sum(gaps) / len(gaps) > 1.5  # same subcategory, very different tastes
    spread = sum(abs(v) for p in people for v in p.task_taste.values()) / (50 * len(LIBRARY))
    assert spread > 1.5  # about 2.8 * sqrt(2 / pi) = 2.2
    assert _people("task_taste")[0].probability(read_2, "morning", _day()) != (
        _people(STANDARD)[0].probability(read_2, "morning", _day())
    )


def test_an_overloaded_skip_is_for_lack_of_time():
    item = LivedItem(
        None, LIBRARY[0], None, 0.1, {"archetype": 0.0, "taste": -0.5, "load": -1.4}, False
    )
    assert skip_reason(item) == "no_time"


def test_oracle_knows_the_day_its_capacity_and_its_category_affinities():
    injured = _people("injury")[0]
    before = OracleScorer(injured, "medium", SWITCH_OFFSET - 1, LIBRARY)
    after = OracleScorer(injured, "medium", SWITCH_OFFSET, LIBRARY)
    walk = LIBRARY[2]
    assert after.expected([walk], "morning")[0] < before.expected([walk], "morning")[0]
    assert after.category_affinity["movement"] < before.category_affinity["movement"]
    assert after.category_affinity["focus"] == before.category_affinity["focus"]
    assert before.daily_capacity is None
    # A category's affinity is the mean over its tasks; "any" counts every part of the day.
    day = _day(SWITCH_OFFSET - 1)
    yoga = LIBRARY[3]
    yoga_mean = (
        sum(injured.probability(yoga, part, day) for part in ("morning", "afternoon", "evening"))
        / 3
    )
    movement = [injured.probability(t, "morning", day) for t in LIBRARY[2:5:2]] + [yoga_mean]
    assert category_affinity(injured, LIBRARY, day)["movement"] == pytest.approx(sum(movement) / 3)
    loaded = _people("load")[0]
    assert OracleScorer(loaded, "medium", 0, LIBRARY).daily_capacity == loaded.capacity
