"""Choosing the task that replaces one the user swapped ("Not this one"). Pure: no ORM.

The replacement is drawn exactly as the planner fills a slot (`planning.SlotFiller`): the
same scorer and the same rules in the same order (category and part of the day, not
already planned that day, short enough for the room left; then difficulty for the mode,
rotation, one task per variation group a day), the same shortlist and draw, and its
propensity is logged like any slot's, so off-policy evaluation stays valid.

What differs is the pool. Every task of the day's plan is out, current or swapped out
earlier (the user said no to those), and the groups of every task of the day are "used",
the swapped one's included: a variant of the refused task's own group is the nearest thing
to it, taken only when nothing else is left. The room is what is left of the block at
the swapped task's place: the replacement starts when the swapped task did and ends
before the next task starts (or the block ends), so the rest of the plan keeps its times.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from library.candidates import Candidate
from library.scoring import Scorer

from . import slot_log
from .planning import DayRequest, SlotFiller, SlotTrace, plan_seed


@dataclass(frozen=True, slots=True)
class PlanTask:
    """One task of the day's plan, as the swap sees it."""

    task_id: str | None
    variation_group: str
    start: datetime
    block: int  # the time block's position


@dataclass(frozen=True, slots=True)
class SwapSlot:
    """Where the swapped task stood: its category, part of the day, start and room."""

    category: str
    time_of_day: str
    start: datetime
    room_minutes: int


@dataclass(frozen=True, slots=True)
class Replacement:
    task: Candidate
    start: datetime
    end: datetime
    propensity: float
    slot_log: bytes
    trace: SlotTrace


def swap_rng(user_id: object, day: date, plan_item_id: object) -> np.random.Generator:
    """Seeded by the swapped item: a retried swap that did not commit draws the same task."""
    return np.random.default_rng(plan_seed(user_id, day, f"swap:{plan_item_id}"))


def room_after(start: datetime, following: Iterable[datetime], block_end: datetime) -> int:
    """Minutes from `start` to the next task's start after it, or to the block's end."""
    later = [moment for moment in following if moment > start]
    until = min([*later, block_end])
    return max(0, int((until - start).total_seconds() // 60))


def swap_slot(
    category: str,
    time_of_day: str,
    swapped: PlanTask,
    current: Sequence[PlanTask],
    block_end: datetime,
) -> SwapSlot:
    """The slot of `swapped` among the plan's current tasks (its own block's only)."""
    following = [t.start for t in current if t.block == swapped.block and t is not swapped]
    room = room_after(swapped.start, following, block_end)
    return SwapSlot(category, time_of_day, swapped.start, room)


def choose_replacement(
    request: DayRequest,
    slot: SwapSlot,
    day_tasks: Sequence[PlanTask],
    candidates: Iterable[Candidate],
    last_used: Mapping[str, date],
    scorer: Scorer,
    rng: np.random.Generator,
) -> Replacement | None:
    """The policy's replacement for the slot, or None when no other task fits it.

    `day_tasks` are every task of the day's plan: current, swapped out before, and the
    one being swapped now.
    """
    filler = SlotFiller(request, candidates, last_used, scorer, rng)
    filler.used_tasks = {t.task_id for t in day_tasks if t.task_id}
    filler.used_groups = {t.variation_group for t in day_tasks if t.variation_group}
    trace = filler.fill(slot.category, slot.time_of_day, slot.room_minutes)
    if trace.chosen is None:
        return None
    chosen = trace.chosen
    log = slot_log.encode((c.number, trace.propensities[c.id]) for c in trace.competitors)
    return Replacement(
        task=chosen,
        start=slot.start,
        end=slot.start + timedelta(minutes=chosen.duration_minutes),
        propensity=trace.propensities[chosen.id],
        slot_log=log,
        trace=trace,
    )
