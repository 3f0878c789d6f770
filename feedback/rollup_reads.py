"""Reading the daily rollups: plain dataclasses for dashboards and the task performance page.

Every read here costs the rollup rows of its window (days x groups present), never the
plan items or feedback behind them; the holdout's read days x groups x buckets, and only a
range that is not a dashboard window counts its distinct users from the user-days. Days
not rolled up yet (today, or a night the run failed) are simply absent: see `feedback.rollups`.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from .models import DailyOutcomeRollup, HoldoutBucketDay, HoldoutUserDay, HoldoutWindowUsers


@dataclass(frozen=True, slots=True)
class CountColumn:
    """One count column of `DailyOutcomeRollup` as readers sum and show it."""

    field: str  # the rollup's column
    label: str  # short, for a table header
    kind: str  # "planned", "completed", "skipped", "unanswered" (or a new outcome's own)

    @property
    def is_outcome(self) -> bool:
        """Counted among the outcome model's outcomes (the completion rate's denominator)."""
        return self.kind != "planned"


# The one list of the rollups' counts, in the order pages show them. A new outcome column
# (written by feedback.rollups) is added here once: every read sums it, OutcomeTotals
# carries it, and the task performance page shows, sorts and charts it.
COUNT_COLUMNS: tuple[CountColumn, ...] = (
    CountColumn("planned", "Planned", "planned"),
    CountColumn("completed", "Completed", "completed"),
    CountColumn("skipped_too_hard", "Too hard", "skipped"),
    CountColumn("skipped_no_time", "No time", "skipped"),
    CountColumn("skipped_not_interested", "Not interested", "skipped"),
    CountColumn("skipped_forgot", "Forgot", "skipped"),
    CountColumn("skipped_other", "No reason", "skipped"),
    CountColumn("unanswered", "Unanswered", "unanswered"),
    # Swapped for another task ("Not this one"): editors see which tasks people refuse.
    CountColumn("swapped", "Swapped", "swapped"),
)
_RATINGS = ("rating_count", "rating_sum")
_SUMMED = (*(c.field for c in COUNT_COLUMNS), *_RATINGS)


@dataclass(frozen=True, slots=True)
class OutcomeTotals:
    """Planned items and outcomes of one group over a window (None: not grouped by it).

    `counts` holds every column of COUNT_COLUMNS by field name."""

    category: str | None
    task_library_id: uuid.UUID | None
    variation_group: str | None
    counts: dict[str, int]
    rating_count: int
    rating_sum: int

    def count(self, field: str) -> int:
        return self.counts[field]

    @property
    def column_counts(self) -> list[int]:
        """The counts in COUNT_COLUMNS' order (a table row's cells)."""
        return [self.counts[c.field] for c in COUNT_COLUMNS]

    def of_kind(self, kind: str) -> int:
        return sum(self.counts[c.field] for c in COUNT_COLUMNS if c.kind == kind)

    @property
    def planned(self) -> int:
        return self.counts["planned"]

    @property
    def completed(self) -> int:
        return self.counts["completed"]

    @property
    def skipped(self) -> int:
        return self.of_kind("skipped")

    @property
    def unanswered(self) -> int:
        return self.counts["unanswered"]

    @property
    def swapped(self) -> int:
        return self.counts["swapped"]

    @property
    def outcomes(self) -> int:
        """Completed, skipped, unanswered and swapped: what the outcome model counts (not
        unexposed)."""
        return sum(self.counts[c.field] for c in COUNT_COLUMNS if c.is_outcome)

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.outcomes if self.outcomes else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


def add_totals(
    parts: Iterable[OutcomeTotals],
    *,
    category: str | None = None,
    task_library_id: uuid.UUID | None = None,
    variation_group: str | None = None,
) -> OutcomeTotals:
    """The sum of several groups' totals, under the keys given."""
    parts = list(parts)
    return OutcomeTotals(
        category=category,
        task_library_id=task_library_id,
        variation_group=variation_group,
        counts={c.field: sum(p.counts[c.field] for p in parts) for c in COUNT_COLUMNS},
        rating_count=sum(p.rating_count for p in parts),
        rating_sum=sum(p.rating_sum for p in parts),
    )


def _window(
    since: date,
    until: date,
    archetype: str | None,
    readiness_mode: str | None,
    policy: str | None,
    category: str | None = None,
) -> QuerySet:
    filters = Q(day__gte=since, day__lte=until)
    if archetype is not None:
        filters &= Q(archetype=archetype)
    if readiness_mode is not None:
        filters &= Q(readiness_mode=readiness_mode)
    if policy is not None:
        filters &= Q(policy=policy)
    if category is not None:
        filters &= Q(category=category)
    return DailyOutcomeRollup.objects.filter(filters)


def _totals(rows: QuerySet, keys: tuple[str, ...]) -> list[OutcomeTotals]:
    grouped = rows.values(*keys).annotate(**{f"n_{c}": Sum(c) for c in _SUMMED}).order_by(*keys)
    return [
        OutcomeTotals(
            category=row.get("category"),
            task_library_id=row.get("task_library_id"),
            variation_group=row.get("variation_group"),
            counts={c.field: int(row[f"n_{c.field}"] or 0) for c in COUNT_COLUMNS},
            rating_count=int(row["n_rating_count"] or 0),
            rating_sum=int(row["n_rating_sum"] or 0),
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
    category: str | None = None,
) -> list[OutcomeTotals]:
    """Totals per category, task and variation group (the task performance page), optionally
    of one archetype, mode, policy or category. One query; task names are the caller's (one
    more query over the task library)."""
    return _totals(
        _window(since, until, archetype, readiness_mode, policy, category),
        ("category", "task_library_id", "variation_group"),
    )


# ---- the holdout's sums (feedback/lift.py) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldoutCluster:
    """One (group, bucket) over a window: its active user-days and their outcomes."""

    group: str
    bucket: int
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


def _bucket_window(since: date, until: date) -> QuerySet:
    return HoldoutBucketDay.objects.filter(day__gte=since, day__lte=until)


def holdout_clusters(since: date, until: date) -> list[HoldoutCluster]:
    """Per group and bucket over since..until. One query over at most days x 2 x BUCKETS
    rows of `holdout_bucket_days`, whatever the number of users."""
    rows = (
        _bucket_window(since, until)
        .values("group", "bucket")
        .annotate(n=Sum("user_days"), seen=Sum("outcomes"), done=Sum("completed"))
        .order_by("group", "bucket")
    )
    return [
        HoldoutCluster(
            row["group"], row["bucket"], int(row["n"]), int(row["seen"]), int(row["done"])
        )
        for row in rows
    ]


def holdout_days(since: date, until: date) -> list[HoldoutDay]:
    """Per day and group over since..until (the weekly trend). One query."""
    rows = (
        _bucket_window(since, until)
        .values("day", "group")
        .annotate(n=Sum("user_days"), seen=Sum("outcomes"), done=Sum("completed"))
        .order_by("day", "group")
    )
    return [
        HoldoutDay(row["day"], row["group"], int(row["n"]), int(row["seen"]), int(row["done"]))
        for row in rows
    ]


def window_users(since: date, until: date) -> dict[str, int]:
    """Distinct users per group active since..until, counted from `holdout_user_days`: one
    query over the window's user-days (an index-only scan on PostgreSQL)."""
    rows = (
        HoldoutUserDay.objects.filter(day__gte=since, day__lte=until)
        .values("group")
        .annotate(users=Count("user_id", distinct=True))
        .order_by()
    )
    return {row["group"]: row["users"] for row in rows}


def holdout_users(since: date, until: date) -> dict[str, int]:
    """Distinct users per group since..until: as the nightly rollup counted them for a
    dashboard window (one small query), else counted now (`window_users`)."""
    days = (until - since).days + 1
    stored = dict(
        HoldoutWindowUsers.objects.filter(until=until, days=days).values_list("group", "users")
    )
    return stored if stored else window_users(since, until)
