"""The shape of one user's day: how many tasks, and which category each slot holds. Pure.

Every block has four slots in order of importance (`layout.BLOCK_LAYOUT`). The mode's full
layout takes the first TASKS_PER_BLOCK of each; that is the day every user gets until the
engine has learned about them, and the day the static policy always serves.

A learning policy changes two things, within limits:

- **size**: the user's learned capacity (`profiles.capacity`), kept inside the mode's
  bounds (`layout.PLAN_SIZE`);
- **mix**: each block keeps its first slot (the core: hydration opens the morning, so it
  is there every day); the other slots compete across the day on the category's learned
  completion probability plus a bonus for their place in the layout (SLOT_STEP per rank),
  so a category has to do clearly worse than the next one down the layout to lose its slot.
  A category of the mode's layout planned on none of the last six days gets its best slot
  back today, so no category disappears for a week.

With no learned affinities every category scores alike and the layout's own order decides:
the mode's full layout, exactly.
"""

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .layout import BLOCK_LAYOUT, PLAN_SIZE, TASKS_PER_BLOCK

# Completion probability one step down the layout is worth. 0.08: a slot changes hands
# when its category completes 8 points less than the category of the slot below it.
SLOT_STEP = 0.08


@dataclass(frozen=True, slots=True)
class Position:
    block: int  # index into BLOCK_LAYOUT
    rank: int  # the slot's place in its block, 0 = core
    category: str


@dataclass(frozen=True, slots=True)
class DayShape:
    """The day's slots per block, and what changed from the mode's full layout and why."""

    mode: str
    size: int
    full_size: int  # the mode's full layout
    capacity: int | None  # the learned capacity that set `size` (None: not learned yet)
    blocks: tuple[tuple[str, ...], ...]  # categories of each block's slots, in layout order
    fewer: dict[str, int]  # category -> slots fewer than in the mode's full layout
    more: dict[str, int]  # category -> slots more
    kept_for_variety: tuple[str, ...] = ()  # categories given a slot so they do not vanish
    affinity: dict[str, float] | None = None  # the learned category scores the mix followed

    @property
    def learned(self) -> bool:
        return self.size != self.full_size or bool(self.fewer or self.more)


def full_layout(mode: str) -> list[Position]:
    per_block = TASKS_PER_BLOCK[mode]
    return [
        Position(b, rank, str(category))
        for b, spec in enumerate(BLOCK_LAYOUT)
        for rank, category in enumerate(spec.slots[:per_block])
    ]


def plan_size(mode: str, capacity: int | None) -> int:
    fewest, most = PLAN_SIZE[mode]
    return most if capacity is None else min(most, max(fewest, capacity))


def shape_day(
    mode: str,
    capacity: int | None = None,
    category_affinity: Mapping[str, float] | None = None,
    recent_categories: Collection[str] | None = None,
) -> DayShape:
    """The day's slots. `recent_categories`: categories planned in the last days (None for a
    user with no plans yet: nothing can have vanished)."""
    size = plan_size(mode, capacity)
    full = full_layout(mode)
    everything = [
        Position(b, rank, str(category))
        for b, spec in enumerate(BLOCK_LAYOUT)
        for rank, category in enumerate(spec.slots)
    ]
    core = [p for p in everything if p.rank == 0]
    affinity = dict(category_affinity or {})
    neutral = sum(affinity.values()) / len(affinity) if affinity else 0.0

    def score(position: Position) -> float:
        return affinity.get(position.category, neutral) - SLOT_STEP * position.rank

    # Ties (no affinities) fall back to the layout: by rank, then block order.
    rest = sorted((p for p in everything if p.rank > 0), key=lambda p: (-score(p), p.rank, p.block))
    forced: list[Position] = []
    if recent_categories is not None and affinity:
        present = {p.category for p in core}
        for category in sorted({p.category for p in full}):
            if category in present or category in recent_categories:
                continue
            best = next((p for p in rest if p.category == category), None)
            if best is not None:
                forced.append(best)
        forced = sorted(forced, key=lambda p: (-score(p), p.rank, p.block))[: size - len(core)]
    others = [p for p in rest if p not in forced][: max(0, size - len(core) - len(forced))]
    chosen = sorted([*core, *forced, *others], key=lambda p: (p.block, p.rank))
    blocks = tuple(
        tuple(p.category for p in chosen if p.block == b) for b in range(len(BLOCK_LAYOUT))
    )
    planned = Counter(p.category for p in chosen)
    default = Counter(p.category for p in full)
    return DayShape(
        mode=mode,
        size=len(chosen),
        full_size=len(full),
        capacity=capacity,
        blocks=blocks,
        fewer=dict(sorted((default - planned).items())),
        more=dict(sorted((planned - default).items())),
        kept_for_variety=tuple(p.category for p in forced),
        affinity=dict(sorted(affinity.items())) if affinity else None,
    )
