"""The lift as text: one formatting for the dashboard and `lift_report`, so they agree."""

from dataclasses import dataclass

from .lift import Interval, LiftWindow, TrendWeek

NOT_ENOUGH = "not enough data"
NO_VALUE = "n/a"


@dataclass(frozen=True, slots=True)
class LiftRow:
    label: str
    treatment: str
    holdout: str
    lift: str


def percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return NO_VALUE
    return f"{value * 100:+.1f}%" if signed else f"{value * 100:.1f}%"


def tasks(value: float | None) -> str:
    """Tasks a day: a count, not a share."""
    return NO_VALUE if value is None else f"{value:.2f}"


def interval(value: Interval | None) -> str:
    if value is None:
        return NOT_ENOUGH
    low, high = percent(value.low, signed=True), percent(value.high, signed=True)
    return f"{percent(value.estimate, signed=True)} [{low}, {high}]"


def lift_rows(window: LiftWindow) -> list[LiftRow]:
    t, h = window.treatment, window.holdout
    return [
        LiftRow("Users", f"{t.users:,}", f"{h.users:,}", ""),
        LiftRow("Active user-days", f"{t.user_days:,}", f"{h.user_days:,}", ""),
        LiftRow(
            "Completion per active user-day",
            percent(t.completion_rate),
            percent(h.completion_rate),
            interval(window.completion_lift),
        ),
        LiftRow(
            "Tasks completed a day",
            tasks(t.tasks_per_day),
            tasks(h.tasks_per_day),
            interval(window.per_day_lift),
        ),
    ]


def report_lines(window: LiftWindow) -> list[str]:
    """The command's table: the dashboard's rows as plain text."""
    rows = lift_rows(window)
    width = max(len(row.label) for row in rows)
    lines = [
        f"Lift {window.since}..{window.until} ({window.days} days)",
        f"{'':{width}}  {'treatment':>12}  {'holdout':>12}  lift [95% interval]",
    ]
    lines += [
        f"{row.label:{width}}  {row.treatment:>12}  {row.holdout:>12}  {row.lift}".rstrip()
        for row in rows
    ]
    return lines


@dataclass(frozen=True, slots=True)
class TrendBar:
    week: str
    treatment: float | None  # 0..100, for a CSS width
    holdout: float | None
    treatment_label: str
    holdout_label: str


def trend_bars(weeks: list[TrendWeek]) -> list[TrendBar]:
    return [
        TrendBar(
            week.week.isoformat(),
            None if week.treatment is None else round(week.treatment * 100, 1),
            None if week.holdout is None else round(week.holdout * 100, 1),
            percent(week.treatment),
            percent(week.holdout),
        )
        for week in weeks
    ]
