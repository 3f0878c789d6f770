"""The weekly personalization summary: numbers from the outcome model, words from here (pure).

Every number is an outcome of feedback/outcomes.py, counted by the item's own date.
Sentences promise only what the planner does: which *kinds* of task (subcategories) fill a
category's slots, easier ones after "too hard" skips, and the size and category mix of the
next plans exactly as the planner will shape them (`routines.shaping.DayShape`, passed in
as `next_shape`): "fewer focus tasks" is said only when the next plan has fewer focus slots.
"""

from dataclasses import dataclass, field
from datetime import date

from routines.shaping import DayShape

MIN_OUTCOMES_TO_JUDGE = 3  # a category or kind needs this many outcomes before we judge it
STRONG = 0.75
WEAK = 0.4

SKIP_REASON_WORDS = {
    "too_hard": "it felt too hard",
    "no_time": "there was no time",
    "not_interested": "it didn't interest you",
    "forgot": "it slipped your mind",
}


@dataclass(frozen=True, slots=True)
class KindWeek:
    """One subcategory of a category in the week."""

    subcategory: str
    completed: int
    outcomes: int
    swapped: int = 0  # swapped for another task: counted apart from the outcomes above

    @property
    def rate(self) -> float:
        return self.completed / self.outcomes if self.outcomes else 0.0


@dataclass(frozen=True, slots=True)
class CategoryWeek:
    category: str
    scheduled: int  # plan items dated in the week
    completed: int = 0
    skipped: int = 0  # explicit skips
    unanswered: int = 0  # no word on a day the user was active
    top_skip_reason: str | None = None
    kinds: tuple[KindWeek, ...] = ()
    # Swapped for another task ("Not this one"). Apart from `outcomes`: a swapped task left
    # the plan, and `scheduled` counts the plan's tasks as they stand.
    swapped: int = 0

    @property
    def with_feedback(self) -> int:
        """Items the user answered (completed or skipped)."""
        return self.completed + self.skipped

    @property
    def outcomes(self) -> int:
        return self.completed + self.skipped + self.unanswered

    @property
    def unexposed(self) -> int:
        """Scheduled items of days the user did not open the app, or not over yet."""
        return max(0, self.scheduled - self.outcomes)

    @property
    def rate(self) -> float:
        return self.completed / self.outcomes if self.outcomes else 0.0

    @property
    def top_kind(self) -> KindWeek | None:
        judged = [k for k in self.kinds if k.outcomes >= MIN_OUTCOMES_TO_JUDGE and k.completed]
        return max(judged, key=lambda k: (k.rate, k.completed), default=None)

    @property
    def top_subcategory(self) -> str | None:
        kind = self.top_kind
        return kind.subcategory if kind else None


@dataclass(slots=True)
class WeeklySummary:
    user_id: str
    week_start: date
    week_end: date
    tasks_scheduled: int
    tasks_completed: int
    previous_scheduled: int
    previous_completed: int
    current_streak: int
    longest_streak: int
    new_tasks_tried: list[str]
    categories: list[CategoryWeek]
    learning_phase: str
    current_mode: str
    changes: list[str] = field(default_factory=list)
    next_shape: DayShape | None = None  # the next plans' size and mix (None: not known)
    # (category, subcategory) kinds the planner now draws less often (checked against the
    # learned profile: routines.drafting.kinds_drawn_less); only these get "fewer X".
    drawn_less: frozenset[tuple[str, str]] = frozenset()

    @property
    def completion_rate(self) -> float:
        return (
            round(self.tasks_completed / self.tasks_scheduled, 4) if self.tasks_scheduled else 0.0
        )

    @property
    def previous_completion_rate(self) -> float | None:
        """None when nothing was scheduled the week before (no previous week)."""
        if not self.previous_scheduled:
            return None
        return round(self.previous_completed / self.previous_scheduled, 4)

    @property
    def completion_rate_change(self) -> float | None:
        """Percentage points against the previous week; None without a previous week."""
        previous = self.previous_completion_rate
        if previous is None:
            return None
        return round((self.completion_rate - previous) * 100, 1)

    @property
    def tasks_unanswered(self) -> int:
        return sum(c.unanswered for c in self.categories)

    @property
    def tasks_swapped(self) -> int:
        return sum(c.swapped for c in self.categories)

    def swapped_kinds(self) -> list[tuple[str, KindWeek]]:
        """(category, kind) of every kind swapped this week, most swapped first."""
        kinds = [(c.category, k) for c in self.categories for k in c.kinds if k.swapped]
        return sorted(kinds, key=lambda pair: (-pair[1].swapped, pair[0], pair[1].subcategory))

    def judged(self) -> list[CategoryWeek]:
        return [c for c in self.categories if c.outcomes >= MIN_OUTCOMES_TO_JUDGE]

    @property
    def strongest_category(self) -> str | None:
        judged = self.judged()
        return max(judged, key=lambda c: (c.rate, c.completed)).category if judged else None

    @property
    def weakest_category(self) -> str | None:
        judged = [c for c in self.judged() if c.category != self.strongest_category]
        return min(judged, key=lambda c: (c.rate, -c.outcomes)).category if judged else None


def explain_shape(summary: WeeklySummary) -> list[str]:
    """The next plans' size and category mix, where they differ from the mode's layout."""
    shape = summary.next_shape
    if shape is None:
        return []
    lines = []
    if shape.size < shape.full_size:
        lines.append(
            f"Lighter days: {shape.size} tasks a day instead of {shape.full_size} on "
            f"{shape.mode}-energy days, to fit the {summary.tasks_completed} tasks you "
            f"completed this week. Plans grow back as you complete more."
        )
    by_category = {c.category: c for c in summary.categories}
    for category, slots in shape.fewer.items():
        week = by_category.get(category)
        did = f": you completed {week.completed} of {week.outcomes}" if week else ""
        lines.append(f"Fewer {category} tasks ({slots} fewer a day){did}.")
    for category, slots in shape.more.items():
        week = by_category.get(category)
        did = f": you completed {week.completed} of {week.outcomes}" if week else ""
        lines.append(f"More {category} tasks ({slots} more a day){did}.")
    return lines


def explain_swaps(summary: WeeklySummary) -> list[str]:
    """The week's swaps by kind; "fewer X next week" only where the planner will do it."""
    lines = []
    for category, kind in summary.swapped_kinds():
        name = kind.subcategory or category
        tasks = "task" if kind.swapped == 1 else "tasks"
        if (category, kind.subcategory) in summary.drawn_less:
            lines.append(f"You swapped {kind.swapped} {name} {tasks}; fewer {name} next week.")
        else:
            lines.append(
                f"You swapped {kind.swapped} {name} {tasks}; not enough yet to change how "
                f"often {name} comes up."
            )
    return lines


def explain_changes(summary: WeeklySummary) -> list[str]:
    """What the engine will do differently next week, and why, in plain words."""
    lines = explain_shape(summary) + explain_swaps(summary)
    for cat in sorted(summary.judged(), key=lambda c: -c.outcomes):
        name = cat.category
        kind = cat.top_kind
        # A kind that works is the most specific promise: the scorer favours it in the
        # category's slots even when the category as a whole went badly.
        if kind is not None and kind.rate >= STRONG:
            lines.append(
                f"More {kind.subcategory} in your {name} slots: you completed {kind.completed} "
                f"of {kind.outcomes} {kind.subcategory} tasks."
            )
        elif cat.rate <= WEAK:
            reason = SKIP_REASON_WORDS.get(cat.top_skip_reason or "")
            because = f", mostly because {reason}" if reason else ""
            easier = "easier and " if cat.top_skip_reason == "too_hard" else ""
            lines.append(
                f"Your {name} slots will try {easier}other kinds of {name} task: you completed "
                f"{cat.completed} of {cat.outcomes}{because}."
            )
    if not lines:
        if not any(c.outcomes for c in summary.categories):
            lines.append(
                "No feedback yet this week: tick tasks off in the app and next week's plan "
                "will start to follow what works for you."
            )
        else:
            lines.append(
                "Steady week: no kind of task stood out, so next week keeps the same balance "
                "with fresh variations."
            )
    if summary.learning_phase == "discovery":
        lines.append(
            "We're still getting to know you, so some tasks next week are deliberate experiments."
        )
    return lines
