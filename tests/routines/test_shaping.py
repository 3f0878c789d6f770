"""The day's size and category mix (pure)."""

from collections import Counter

import pytest

from routines.layout import BLOCK_LAYOUT, PLAN_SIZE, TASKS_PER_BLOCK
from routines.shaping import SLOT_STEP, plan_size, shape_day

CATEGORIES = ("hydration", "movement", "nutrition", "wellness", "work", "focus", "recovery")


def neutral(**changes: float) -> dict[str, float]:
    affinity = dict.fromkeys(CATEGORIES, 0.5)
    affinity.update(changes)
    return affinity


@pytest.mark.parametrize("mode", ["low", "medium", "high"])
def test_nothing_learned_gives_the_modes_full_layout(mode):
    shape = shape_day(mode)
    per_block = TASKS_PER_BLOCK[mode]
    assert shape.blocks == tuple(tuple(spec.slots[:per_block]) for spec in BLOCK_LAYOUT)
    assert shape.size == shape.full_size == PLAN_SIZE[mode][1]
    assert not shape.learned and not shape.fewer and not shape.more
    # Equal affinities change nothing either: the layout's order decides ties.
    assert shape_day(mode, None, neutral(), set(CATEGORIES)).blocks == shape.blocks


@pytest.mark.parametrize(
    ("mode", "capacity", "size"),
    [("medium", 4, 9), ("medium", 11, 11), ("medium", 19, 15), ("low", 1, 6), ("high", 13, 13)],
)
def test_capacity_sets_the_size_within_the_modes_bounds(mode, capacity, size):
    assert plan_size(mode, capacity) == size
    shape = shape_day(mode, capacity)
    assert shape.size == size == sum(len(block) for block in shape.blocks)


def test_smallest_plan_keeps_every_blocks_core_slot_and_hydration():
    shape = shape_day("low", 1, neutral(hydration=0.0))
    assert shape.size == PLAN_SIZE["low"][0]
    for block, spec in zip(shape.blocks, BLOCK_LAYOUT, strict=True):
        assert block[0] == spec.slots[0]
    assert shape.blocks[0][0] == "hydration"


def test_a_category_that_fails_gives_its_slots_to_others():
    shape = shape_day("medium", None, neutral(movement=0.1), set(CATEGORIES))
    planned = Counter(c for block in shape.blocks for c in block)
    assert planned["movement"] == 1  # the evening block's core slot only
    assert shape.fewer == {"movement": 2}
    assert sum(shape.more.values()) == 2
    assert shape.size == 15


def test_a_small_difference_does_not_move_a_slot():
    shape = shape_day("medium", None, neutral(wellness=0.5 - SLOT_STEP / 2), set(CATEGORIES))
    assert not shape.fewer and not shape.more


def test_a_category_absent_all_week_gets_a_slot_back():
    affinity = neutral(focus=0.05)
    gone = shape_day("medium", None, affinity, set(CATEGORIES))
    assert "focus" in gone.fewer
    recent = set(CATEGORIES) - {"focus"}
    back = shape_day("medium", None, affinity, recent)
    assert any("focus" in block for block in back.blocks)
    assert back.kept_for_variety == ("focus",)
    assert back.size == gone.size


def test_a_user_with_no_plans_yet_is_not_forced():
    shape = shape_day("medium", None, neutral(focus=0.05), None)
    assert shape.kept_for_variety == ()


def test_the_static_layout_never_forces_categories_it_does_not_plan():
    # Low days plan no wellness slot; a missing wellness is not a vanished category.
    shape = shape_day("low", None, neutral(), set(CATEGORIES) - {"wellness"})
    assert shape.kept_for_variety == ()
    assert shape.blocks == shape_day("low").blocks
