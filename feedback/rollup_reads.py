"""Reading the daily rollups: plain dataclasses for dashboards and the task performance page.

Every read here costs the rollup rows of its window (days x groups present), never the
plan items or feedback behind them; the holdout's reads cost the window's active user-days
(`holdout_user_days`), never the history before it. Days not rolled up yet (today, or a
night the run failed) are simply absent: see `feedback.rollups`.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from .models import DailyOutcomeRollup, HoldoutUserDay

_COUNTS = (
    "planned",
    "completed",
    "skipped_too_hard",
    "skipped_no_time",
    "skipped_not_interested",
    "skipped_forgot",
    "skipped_other",
    "unanswered",
    "rating_count",
    "rating_sum",
)


@dataclass(frozen=True, slots=True)
class OutcomeTotals:
    """Planned items and outcomes of one group over a window (None: not grouped by it)."""

    category: str
    task_library_id: uuid.UUID | None
    variation_group: str | None
    planned: int
    completed: int
    skipped_too_hard: int
    skipped_no_time: int
    skipped_not_interested: int
    skipped_forgot: int
    skipped_other: int
    unanswered: int
    rating_count: int
    rating_sum: int

    @property
    def skipped(self) -> int:
        return (
            self.skipped_too_hard
            + self.skipped_no_time
            + self.skipped_not_interested
            + self.skipped_forgot
            + self.skipped_other
        )

    @property
    def outcomes(self) -> int:
        """Completed, skipped and unanswered: what the outcome model counts (not unexposed)."""
        return self.completed + self.skipped + self.unanswered

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.outcomes if self.outcomes else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


def _window(
    since: date,
    until: date,
    archetype: str | None,
    readiness_mode: str | None,
    policy: str | None,
) -> QuerySet:
    filters = Q(day__gte=since, day__lte=until)
    if archetype is not None:
        filters &= Q(archetype=archetype)
    if readiness_mode is not None:
        filters &= Q(readiness_mode=readiness_mode)
    if policy is not None:
        filters &= Q(policy=policy)
    return DailyOutcomeRollup.objects.filter(filters)


def _totals(rows: QuerySet, keys: tuple[str, ...]) -> list[OutcomeTotals]:
    grouped = rows.values(*keys).annotate(**{f"n_{c}": Sum(c) for c in _COUNTS}).order_by(*keys)
    return [
        OutcomeTotals(
            category=row["category"],
            task_library_id=row.get("task_library_id"),
            variation_group=row.get("variation_group"),
            **{c: int(row[f"n_{c}"] or 0) for c in _COUNTS},
        )
        for row in grouped
    ]


def category_outcomes(
    since: date,
    until: date,
    *,
    archetype: str | None = None,
    readiness_mode: str | None = None,
    policy: str | None = None,
) -> list[OutcomeTotals]:
    """Totals per category over the days since..until, optionally of one archetype, mode
    or policy. One query."""
    return _totals(_window(since, until, archetype, readiness_mode, policy), ("category",))


def task_outcomes(
    since: date,
    until: date,
    *,
    archetype: str | None = None,
    readiness_mode: str | None = None,
    policy: str | None = None,
) -> list[OutcomeTotals]:
    """Totals per category, task and variation group (the task performance page). One
    query; task names are the caller's (one more query over the task library)."""
    return _totals(
        _window(since, until, archetype, readiness_mode, policy),
        ("category", "task_library_id", "variation_group"),
    )


# ---- the holdout's active user-days (feedback/lift.py) -----------------------------------


@dataclass(frozen=True, slots=True)
class HoldoutCluster:
    """One (group, bucket) over a window: its users, active user-days and outcomes."""

    group: str
    bucket: int
    users: int
    user_days: int
    outcomes: int
    completed: int


@dataclass(frozen=True, slots=True)
class HoldoutDay:
    day: date
    group: str
    user_days: int
    outcomes: int
    completed: int


def holdout_clusters(since: date, until: date) -> list[HoldoutCluster]:
    """Per group and bucket over since..until. One query over the window's active user-days
    (an index-only scan on PostgreSQL), at most 2 x BUCKETS rows back."""
    rows = (
        HoldoutUserDay.objects.filter(day__gte=since, day__lte=until)
        .values("group", "bucket")
        .annotate(
            users=Count("user_id", distinct=True),
            user_days=Count("*"),
            n_outcomes=Sum("outcomes"),
            n_completed=Sum("completed"),
        )
        .order_by("group", "bucket")
    )
    return [
        HoldoutCluster(
            row["group"],
            row["bucket"],
            row["users"],
            row["user_days"],
            int(row["n_outcomes"]),
            int(row["n_completed"]),
        )
        for row in rows
    ]


def holdout_days(since: date, until: date) -> list[HoldoutDay]:
    """Per day and group over since..until (the weekly trend). One query."""
    rows = (
        HoldoutUserDay.objects.filter(day__gte=since, day__lte=until)
        .values("day", "group")
        .annotate(user_days=Count("*"), n_outcomes=Sum("outcomes"), n_completed=Sum("completed"))
        .order_by("day", "group")
    )
    return [
        HoldoutDay(
            row["day"],
            row["group"],
            row["user_days"],
            int(row["n_outcomes"]),
            int(row["n_completed"]),
        )
        for row in rows
    ]
