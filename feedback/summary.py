"""The weekly personalization summary: numbers from the selector, words from here (pure)."""

from dataclasses import dataclass, field
from datetime import date

MIN_OUTCOMES_TO_JUDGE = 3  # a category needs this many outcomes before we praise or blame it
STRONG = 0.75
WEAK = 0.4

SKIP_REASON_WORDS = {
    "too_hard": "it felt too hard",
    "no_time": "there was no time",
    "not_interested": "it didn't interest you",
    "forgot": "it slipped your mind",
}


@dataclass(frozen=True, slots=True)
class CategoryWeek:
    category: str
    scheduled: int
    with_feedback: int
    completed: int
    top_subcategory: str | None = None
    top_skip_reason: str | None = None

    @property
    def rate(self) -> float:
        return self.completed / self.with_feedback if self.with_feedback else 0.0


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

    @property
    def completion_rate(self) -> float:
        return (
            round(self.tasks_completed / self.tasks_scheduled, 4) if self.tasks_scheduled else 0.0
        )

    @property
    def previous_completion_rate(self) -> float:
        if not self.previous_scheduled:
            return 0.0
        return round(self.previous_completed / self.previous_scheduled, 4)

    @property
    def completion_rate_change(self) -> float | None:
        """Percentage points against the previous week; None without a previous week."""
        if not self.previous_scheduled:
            return None
        return round((self.completion_rate - self.previous_completion_rate) * 100, 1)

    def judged(self) -> list[CategoryWeek]:
        return [c for c in self.categories if c.with_feedback >= MIN_OUTCOMES_TO_JUDGE]

    @property
    def strongest_category(self) -> str | None:
        judged = self.judged()
        return max(judged, key=lambda c: (c.rate, c.completed)).category if judged else None

    @property
    def weakest_category(self) -> str | None:
        judged = [c for c in self.judged() if c.category != self.strongest_category]
        return min(judged, key=lambda c: (c.rate, -c.with_feedback)).category if judged else None


def explain_changes(summary: WeeklySummary) -> list[str]:
    """What the engine will do differently next week, and why, in plain words.

    These follow what the adaptive scorer does with the same evidence: categories and
    subcategories with high completion get picked more, low ones less or in easier forms.
    """
    lines = []
    for cat in sorted(summary.judged(), key=lambda c: -c.with_feedback):
        name = cat.category
        what = f"{cat.top_subcategory} {name}" if cat.top_subcategory else name
        if cat.rate >= STRONG:
            lines.append(f"More {what}: you completed {cat.completed} of {cat.with_feedback}.")
        elif cat.rate <= WEAK:
            skipped = cat.with_feedback - cat.completed
            reason = SKIP_REASON_WORDS.get(cat.top_skip_reason or "")
            because = f", mostly because {reason}" if reason else ""
            easier = " and easier" if cat.top_skip_reason == "too_hard" else ""
            total = cat.with_feedback
            lines.append(f"Fewer{easier} {name} tasks: you skipped {skipped} of {total}{because}.")
    if not lines:
        if summary.tasks_completed == 0 and not any(c.with_feedback for c in summary.categories):
            lines.append(
                "No feedback yet this week: complete or skip tasks in the app and next week's "
                "plan will start to follow what works for you."
            )
        else:
            lines.append(
                "Steady week: no category stood out, so next week keeps the same balance "
                "with fresh variations."
            )
    if summary.learning_phase == "discovery":
        lines.append(
            "We're still getting to know you, so some tasks next week are deliberate experiments."
        )
    return lines
