"""The shape of a day: the spec's five time blocks, as data in one place.

Offsets are minutes after the user's wake time, so a 09:00 riser gets the same day three
hours later. Each block lists the categories of its slots in order of importance: a low
energy day fills the first two, a medium day three, a high day all four.
"""

from dataclasses import dataclass

from library.choices import Category, Difficulty, Mode, TimeOfDay


@dataclass(frozen=True, slots=True)
class BlockSpec:
    name: str
    purpose: str
    zone_type: str
    start_offset: int
    length: int
    time_of_day: str
    slots: tuple[str, ...]


BLOCK_LAYOUT: tuple[BlockSpec, ...] = (
    BlockSpec(
        "Morning Block",
        "Start your day with energizing activities",
        "maintenance",
        0,
        180,
        TimeOfDay.MORNING,
        (Category.HYDRATION, Category.MOVEMENT, Category.NUTRITION, Category.WELLNESS),
    ),
    BlockSpec(
        "Peak Energy",
        "Use your sharpest hours for the work that matters most",
        "peak",
        180,
        180,
        TimeOfDay.MORNING,
        (Category.WORK, Category.FOCUS, Category.WELLNESS, Category.WORK),
    ),
    BlockSpec(
        "Midday",
        "Refuel, move and reset for the afternoon",
        "productive",
        360,
        240,
        TimeOfDay.AFTERNOON,
        (Category.NUTRITION, Category.MOVEMENT, Category.HYDRATION, Category.RECOVERY),
    ),
    BlockSpec(
        "Evening",
        "Close the working day and look after your body",
        "recovery",
        660,
        180,
        TimeOfDay.EVENING,
        (Category.MOVEMENT, Category.NUTRITION, Category.WORK, Category.WELLNESS),
    ),
    BlockSpec(
        "Wind Down",
        "Slow down and prepare for restful sleep",
        "recovery",
        840,
        120,
        TimeOfDay.EVENING,
        (Category.RECOVERY, Category.HYDRATION, Category.WELLNESS, Category.FOCUS),
    ),
)

TASKS_PER_BLOCK = {Mode.LOW: 2, Mode.MEDIUM: 3, Mode.HIGH: 4}
# Tasks a day by mode: (fewest, most). The most is the mode's full layout (TASKS_PER_BLOCK
# slots in each block), what every user gets until their capacity is learned; the fewest
# still holds each block's first (core) slot and room for one more.
PLAN_SIZE = {Mode.LOW: (6, 10), Mode.MEDIUM: (9, 15), Mode.HIGH: (12, 20)}

# Advanced tasks only on high-energy days, or on medium days for users who finish hard tasks.
ADVANCED_ON_MEDIUM_TOLERANCE = 0.7


def allowed_difficulties(mode: str, complexity_tolerance: float = 0.5) -> frozenset[str]:
    if mode == Mode.HIGH or (
        mode == Mode.MEDIUM and complexity_tolerance >= ADVANCED_ON_MEDIUM_TOLERANCE
    ):
        return frozenset(Difficulty.values)
    return frozenset({Difficulty.BEGINNER, Difficulty.INTERMEDIATE})


def priority_for_slot(index: int) -> str:
    return ("high", "medium")[index] if index < 2 else "low"
