"""Choosing a swap's replacement: the planner's slot rules on plain data, no database."""

from datetime import date, datetime, time, timedelta

import numpy as np
import pytest

from library.scoring import StaticScorer
from routines import slot_log
from routines.layout import allowed_difficulties
from routines.planning import DayRequest
from routines.swapping import PlanTask, SwapSlot, choose_replacement, room_after, swap_slot
from tests.routines.helpers import candidate

DAY = date(2026, 11, 24)
START = datetime.combine(DAY, time(7, 0))


def request(mode="medium"):
    return DayRequest(DAY, time(6, 0), mode, allowed_difficulties(mode))


def slot(room=60, category="movement", time_of_day="morning"):
    return SwapSlot(category, time_of_day, START, room)


def task(cand, block=0, start=START) -> PlanTask:
    return PlanTask(cand.id, cand.variation_group, start, block)


def choose(pool, day_tasks, last_used=None, room=60, mode="medium", seed=3):
    return choose_replacement(
        request(mode),
        slot(room),
        day_tasks,
        pool,
        last_used or {},
        StaticScorer("Peak Performer", mode),
        np.random.default_rng(seed),
    )


def test_the_replacement_is_another_task_of_the_slot_and_logs_its_propensity():
    swapped = candidate("movement", group="walks", subcategory="walking")
    others = [candidate("movement", group=f"g{i}", subcategory="yoga") for i in range(3)]
    wrong_category = candidate("hydration", group="water")
    chosen = choose([swapped, *others, wrong_category], [task(swapped)])
    assert chosen is not None
    assert chosen.task in others
    assert chosen.start == START
    assert chosen.end == START + timedelta(minutes=chosen.task.duration_minutes)
    logged = slot_log.decode(chosen.slot_log)
    assert sorted(logged[0].tolist()) == sorted(c.number for c in chosen.trace.competitors)
    assert logged[1].sum() == pytest.approx(1.0, abs=1e-5)
    assert chosen.propensity == chosen.trace.propensities[chosen.task.id]
    assert 0 < chosen.propensity <= 1


def test_tasks_planned_that_day_and_swapped_before_are_out():
    swapped = candidate("movement", group="a")
    planned = candidate("movement", group="b")
    swapped_earlier = candidate("movement", group="c")
    free = candidate("movement", group="d")
    day = [task(swapped), task(planned, block=2), task(swapped_earlier)]
    for seed in range(10):
        assert choose([swapped, planned, swapped_earlier, free], day, seed=seed).task == free


def test_no_other_task_fits_gives_none():
    swapped = candidate("movement", group="a")
    assert choose([swapped, candidate("nutrition")], [task(swapped)]) is None


def test_only_tasks_that_fit_before_the_next_task_are_candidates():
    swapped = candidate("movement", group="a", minutes=10)
    short = candidate("movement", group="b", minutes=15)
    long = candidate("movement", group="c", minutes=30)
    for seed in range(10):
        chosen = choose([swapped, short, long], [task(swapped)], room=20, seed=seed)
        assert chosen.task == short


def test_part_of_the_day_is_a_hard_rule():
    swapped = candidate("movement", group="a")
    evening = candidate("movement", group="b", time_of_day="evening")
    assert choose([swapped, evening], [task(swapped)]) is None


def test_difficulty_for_the_mode_prefers_allowed_tasks_when_there_are_some():
    swapped = candidate("movement", group="a")
    advanced = candidate("movement", group="b", difficulty="advanced")
    beginner = candidate("movement", group="c")
    for seed in range(10):
        assert choose([swapped, advanced, beginner], [task(swapped)], seed=seed).task == beginner
    # Relaxed, as in the planner, when only a disallowed task is left.
    assert choose([swapped, advanced], [task(swapped)]).task == advanced


def test_rotation_rests_recent_variants():
    swapped = candidate("movement", group="a")
    yesterday = candidate("movement", group="b")
    fresh = candidate("movement", group="b")
    last_used = {yesterday.id: DAY - timedelta(days=1)}
    for seed in range(10):
        assert choose([swapped, yesterday, fresh], [task(swapped)], last_used, seed=seed).task == (
            fresh
        )


def test_one_task_per_variation_group_including_the_refused_tasks_group():
    swapped = candidate("movement", group="yoga")
    sibling = candidate("movement", group="yoga")
    used_elsewhere = candidate("movement", group="walks")
    other_group_task = candidate("movement", group="walks")
    new_group = candidate("movement", group="dance")
    day = [task(swapped), task(used_elsewhere, block=3)]
    pool = [swapped, sibling, used_elsewhere, other_group_task, new_group]
    for seed in range(10):
        assert choose(pool, day, seed=seed).task == new_group
    # Soft: a sibling of the refused task when nothing else is left.
    assert choose([swapped, sibling], [task(swapped)]).task == sibling


def test_the_same_swap_draws_the_same_task():
    swapped = candidate("movement", group="a")
    pool = [swapped, *(candidate("movement", group=f"g{i}") for i in range(8))]
    draws = {choose(pool, [task(swapped)], seed=42).task.id for _ in range(3)}
    assert len(draws) == 1


def test_room_runs_to_the_next_task_in_the_block_or_its_end():
    end = START + timedelta(hours=3)
    assert room_after(START, [START + timedelta(minutes=40)], end) == 40
    assert room_after(START, [START - timedelta(minutes=40)], end) == 180
    swapped = PlanTask("x", "a", START, 0)
    later = PlanTask("y", "b", START + timedelta(minutes=25), 0)
    other_block = PlanTask("z", "c", START + timedelta(minutes=10), 1)
    built = swap_slot("movement", "morning", swapped, [swapped, later, other_block], end)
    assert built.room_minutes == 25
