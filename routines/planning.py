"""Plan a day from plain data: slot filling, rotation and scheduling. No ORM here.

`plan_day` is deterministic for a given random generator: the service seeds it from
(user_id, date) so the same request always yields the same plan.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from library.candidates import Candidate
from library.scoring import ScoreBreakdown, Scorer
from library.selection import choose, shortlist

from . import slot_log
from .layout import BLOCK_LAYOUT, BlockSpec, priority_for_slot
from .shaping import DayShape, shape_day

MAX_ROTATION_WINDOW = 6
SCHEDULE_STEP = 5  # tasks start on five-minute marks


def plan_rng(user_id: object, day: date) -> np.random.Generator:
    return np.random.default_rng(plan_seed(user_id, day))


def plan_seed(user_id: object, day: date, salt: str = "") -> int:
    """A stable seed (unlike hash(), which changes between processes)."""
    digest = hashlib.sha256(f"{user_id}:{day.isoformat()}:{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def rotation_window(group_size: int) -> int:
    """Days a variant rests before it may return: every other variant gets a turn first."""
    return max(0, min(group_size - 1, MAX_ROTATION_WINDOW))


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    candidate: Candidate
    score: ScoreBreakdown


@dataclass(slots=True)
class SlotTrace:
    """Why a slot got its task: who competed, with what score, and who was resting."""

    category: str
    time_of_day: str = "any"
    competitors: list[Candidate] = field(default_factory=list)
    resting: list[Candidate] = field(default_factory=list)
    chosen: Candidate | None = None
    # Probability the policy picks each considered candidate (task id -> propensity).
    propensities: dict[str, float] = field(default_factory=dict)
    scorer: Scorer | None = None

    @property
    def considered(self) -> list[ScoredCandidate]:
        """Each competitor with its score breakdown: computed on demand, because only the
        editors' plan preview shows them and a plan has no use for them."""
        if self.scorer is None:
            return []
        return [
            ScoredCandidate(c, self.scorer.breakdown(c, self.time_of_day)) for c in self.competitors
        ]


@dataclass(frozen=True, slots=True)
class PlannedTask:
    title: str
    description: str
    category: str
    priority: str
    duration_minutes: int
    time_of_day: str
    start: datetime
    end: datetime
    task_id: str | None = None
    variation_group: str = ""
    propensity: float | None = None
    # Every candidate of the slot with its probability, compact (routines/slot_log.py).
    slot_log: bytes | None = None


@dataclass(slots=True)
class PlannedBlock:
    spec: BlockSpec
    start: datetime
    end: datetime
    tasks: list[PlannedTask] = field(default_factory=list)
    slots: list[SlotTrace] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DayRequest:
    day: date
    wake_time: time
    mode: str
    allowed_difficulties: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Draft:
    title: str
    description: str
    category: str
    duration_minutes: int
    candidate: Candidate | None = None
    propensities: dict[str, float] | None = None
    slot_log: bytes | None = None


def slot_minutes(duration: int) -> int:
    """Time a task occupies on the schedule: its duration rounded up to the five-minute grid."""
    return -(-duration // SCHEDULE_STEP) * SCHEDULE_STEP


def block_bounds(spec: BlockSpec, day: date, wake_time: time) -> tuple[datetime, datetime]:
    start = datetime.combine(day, wake_time) + timedelta(minutes=spec.start_offset)
    return start, start + timedelta(minutes=spec.length)


def schedule_block(
    spec: BlockSpec, block_start: datetime, drafts: Sequence[_Draft]
) -> list[PlannedTask]:
    """Spread tasks evenly through the block, one after another, never overlapping."""
    busy = sum(slot_minutes(d.duration_minutes) for d in drafts)
    gap = max(0, spec.length - busy) // (len(drafts) + 1) if drafts else 0
    gap -= gap % SCHEDULE_STEP
    cursor = block_start
    tasks = []
    for index, draft in enumerate(drafts):
        start = cursor + timedelta(minutes=gap)
        end = start + timedelta(minutes=draft.duration_minutes)
        cand = draft.candidate
        tasks.append(
            PlannedTask(
                title=draft.title,
                description=draft.description,
                category=draft.category,
                priority=priority_for_slot(index),
                duration_minutes=draft.duration_minutes,
                time_of_day=spec.time_of_day,
                start=start,
                end=end,
                task_id=cand.id if cand else None,
                variation_group=cand.variation_group if cand else "",
                propensity=draft.propensities[cand.id] if cand and draft.propensities else None,
                slot_log=draft.slot_log,
            )
        )
        cursor = start + timedelta(minutes=slot_minutes(draft.duration_minutes))
    return tasks


class SlotFiller:
    """Chooses one task per slot under the variety rules, relaxing soft rules before
    ever leaving a slot empty."""

    def __init__(
        self,
        request: DayRequest,
        candidates: Iterable[Candidate],
        last_used: Mapping[str, date],
        scorer: Scorer,
        rng: np.random.Generator,
    ) -> None:
        self.request = request
        self.candidates = sorted(candidates, key=lambda c: c.id)
        self.group_sizes = Counter(c.variation_group for c in self.candidates)
        self.last_used = last_used
        self.scorer = scorer
        self.rng = rng
        self.used_tasks: set[str] = set()
        self.used_groups: set[str] = set()
        self.by_category: dict[str, list[Candidate]] = {}
        for cand in self.candidates:
            self.by_category.setdefault(cand.category, []).append(cand)

    def is_resting(self, cand: Candidate) -> bool:
        used_on = self.last_used.get(cand.id)
        if used_on is None:
            return False
        days_ago = (self.request.day - used_on).days
        return 0 < days_ago <= rotation_window(self.group_sizes[cand.variation_group])

    def pool(self, category: str, time_of_day: str, minutes_left: int) -> list[Candidate]:
        """Candidates that may fill the slot at all: right category and part of the day,
        not already planned today, short enough for what is left of the block."""
        return [
            c
            for c in self.by_category.get(category, ())
            if c.time_of_day in (time_of_day, "any")
            and c.id not in self.used_tasks
            and slot_minutes(c.duration_minutes) <= minutes_left
        ]

    def fill(self, category: str, time_of_day: str, minutes_left: int) -> SlotTrace:
        """Soft rules narrow the pool in order of importance, each only if something is
        left: difficulty for the mode, then rotation, then one task per group a day."""
        trace = SlotTrace(category=category, time_of_day=time_of_day, scorer=self.scorer)
        pool = self.pool(category, time_of_day, minutes_left)
        if not pool:
            return trace
        pool = [c for c in pool if c.difficulty in self.request.allowed_difficulties] or pool
        fresh = [c for c in pool if not self.is_resting(c)]
        if not fresh:
            # Everything rested recently: the longest-rested variants are the fair choice.
            oldest = min(self.last_used[c.id] for c in pool)
            fresh = [c for c in pool if self.last_used[c.id] == oldest]
        fresh_ids = {c.id for c in fresh}
        trace.resting = [c for c in pool if c.id not in fresh_ids]
        fresh = [c for c in fresh if c.variation_group not in self.used_groups] or fresh
        fresh = shortlist(self.scorer, fresh, time_of_day)
        choice = choose(self.scorer, fresh, time_of_day, self.rng)
        trace.competitors = fresh
        trace.propensities = {
            c.id: round(float(p), 6) for c, p in zip(fresh, choice.propensities, strict=True)
        }
        trace.chosen = fresh[choice.index]
        self.used_tasks.add(trace.chosen.id)
        self.used_groups.add(trace.chosen.variation_group)
        return trace


def plan_day(
    request: DayRequest,
    candidates: Iterable[Candidate],
    last_used: Mapping[str, date],
    scorer: Scorer,
    rng: np.random.Generator,
    shape: DayShape | None = None,
) -> list[PlannedBlock]:
    """Fill each block's slots (the day's `shape`; the mode's full layout by default), then
    schedule them inside the block.

    `last_used` maps task ids to the latest earlier date the user had them.
    """
    filler = SlotFiller(request, candidates, last_used, scorer, rng)
    shape = shape or shape_day(request.mode)
    blocks = []
    for spec, categories in zip(BLOCK_LAYOUT, shape.blocks, strict=True):
        start, end = block_bounds(spec, request.day, request.wake_time)
        minutes_left = spec.length
        drafts: list[_Draft] = []
        traces: list[SlotTrace] = []
        for category in categories:
            trace = filler.fill(category, spec.time_of_day, minutes_left)
            traces.append(trace)
            if trace.chosen is None:
                continue
            chosen = trace.chosen
            minutes_left -= slot_minutes(chosen.duration_minutes)
            drafts.append(
                _Draft(
                    chosen.name,
                    chosen.description,
                    chosen.category,
                    chosen.duration_minutes,
                    chosen,
                    trace.propensities,
                    slot_log.encode(
                        (c.number, trace.propensities[c.id]) for c in trace.competitors
                    ),
                )
            )
        block = PlannedBlock(spec, start, end, schedule_block(spec, start, drafts), traces)
        blocks.append(block)
    return blocks


# The fixed default day served when dynamic plans are off or fail (plan_type static_routine).
STATIC_DAY: dict[str, tuple[tuple[str, str, str, int], ...]] = {
    "Morning Block": (
        ("Glass of Water", "Drink a full glass of water soon after waking.", "hydration", 5),
        ("Morning Walk", "A 15-minute walk outside to get daylight and movement.", "movement", 15),
        ("Balanced Breakfast", "Eat a breakfast with protein, fibre and fruit.", "nutrition", 15),
    ),
    "Peak Energy": (
        (
            "Plan Your Top Three",
            "Write the three outcomes that would make today a success.",
            "work",
            5,
        ),
        ("Focused Work Session", "Work on your most important task for 45 minutes.", "focus", 45),
    ),
    "Midday": (
        ("Mindful Lunch", "Eat lunch away from screens, slowly.", "nutrition", 20),
        ("Post-Lunch Walk", "A relaxed 10-minute walk after lunch.", "movement", 10),
        (
            "Refill Your Water",
            "Refill your bottle and keep sipping through the afternoon.",
            "hydration",
            3,
        ),
    ),
    "Evening": (
        (
            "Evening Stretch",
            "Ten minutes of gentle stretching for hips, back and shoulders.",
            "movement",
            10,
        ),
        ("Shutdown Ritual", "Capture loose ends and close your work for the day.", "work", 10),
    ),
    "Wind Down": (
        ("Screens Off", "Put screens away an hour before bed.", "recovery", 5),
        (
            "Evening Reflection",
            "Write what went well today and one thing to try tomorrow.",
            "wellness",
            10,
        ),
    ),
}


def static_day(day: date, wake_time: time) -> list[PlannedBlock]:
    blocks = []
    for spec in BLOCK_LAYOUT:
        start, end = block_bounds(spec, day, wake_time)
        drafts = [_Draft(*entry) for entry in STATIC_DAY[spec.name]]
        blocks.append(PlannedBlock(spec, start, end, schedule_block(spec, start, drafts)))
    return blocks
