"""Retention: old plans go, feedback stays; monthly partitions ahead on PostgreSQL.

A plan item older than the kept age is dropped with its plan, time blocks and slot
propensities (stored on the item). Feedback is history and is kept: it copies what it
needs from its item (date, time, category, task) and only its link to the item is cleared.
Rollups (issue 18, item 2) are kept as well; this module never touches them.

Why at least `MIN_KEEP_DAYS`: relearning folds into its lifetime totals only the days older
than 35 days, and it, the weekly summary and off-policy evaluation read windows of up to
about 60 days of items (unanswered items are items without feedback: a dropped item can no
longer count as one). 120 days keeps those windows whole with two months to spare for a
late nightly run or a re-evaluation.

On PostgreSQL a month of plan items entirely older than the kept age is detached and
dropped as a whole partition (after its feedback links are cleared in batches, so the
detach finds nothing pointing at it); whatever remains (the first partition, which holds
everything before the conversion, and SQLite) is deleted plan by plan in bounded batches.
Every step is idempotent: a rerun finds less to do.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import DatabaseError, connection, transaction

from core import partitions
from routines.models import Plan, PlanItem, TimeBlock

from .models import UserTaskFeedback

MIN_KEEP_DAYS = 120
KEY = "scheduled_date"
# The tables partitioned by month of their scheduled_date (feedback migration 0009).
PARTITIONED = (PlanItem._meta.db_table, UserTaskFeedback._meta.db_table)
_LOCK = 72_418_001  # advisory lock: one partition maintainer at a time (nightly shards)


def partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return partitions.is_partitioned(cursor, PlanItem._meta.db_table)


def ensure_partitions(today: date, months_ahead: int) -> tuple[list[str], list[str]]:
    """Monthly partitions through `months_ahead` months after today's: (created, problems)."""
    if not partitioned():
        return [], []
    through = partitions.add_months(partitions.month_start(today), months_ahead)
    created, problems = [], []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            # Creating a partition locks the parent briefly; never queue the app behind a
            # long query for it. Writes land in the default partition meanwhile.
            cursor.execute(f"SET LOCAL lock_timeout = '{partitions.LOCK_TIMEOUT_MS}ms'")
            for table in PARTITIONED:
                made, trouble = partitions.ensure_months(cursor, table, KEY, through)
                created += made
                problems += trouble
    except DatabaseError as exc:
        return [], [f"partitions not created: {exc}"]
    return created, problems


@dataclass
class PruneReport:
    cutoff: date  # items dated before this go
    partitions_dropped: list[str] = field(default_factory=list)
    links_cleared: int = 0
    plans: int = 0
    items: int = 0
    time_blocks: int = 0


def prune_history(
    today: date,
    keep_days: int,
    batch_size: int = 500,
    dry_run: bool = False,
    say: Callable[[str], None] = lambda line: None,
) -> PruneReport:
    """Drop plan items dated before today - keep_days, with their plans and time blocks."""
    if keep_days < MIN_KEEP_DAYS:
        raise ValueError(f"keep_days must be at least {MIN_KEEP_DAYS}")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = PruneReport(cutoff=today - timedelta(days=keep_days))
    if partitioned():
        _drop_partitions(report, batch_size, dry_run, say)
    _delete_plans(report, batch_size, dry_run, say)
    return report


def _old_partitions(cutoff: date) -> list[partitions.Partition]:
    with connection.cursor() as cursor:
        found = partitions.partitions(cursor, PlanItem._meta.db_table)
    return [p for p in found if not p.is_default and p.upper is not None and p.upper <= cutoff]


def _drop_partitions(report: PruneReport, batch_size: int, dry_run: bool, say) -> None:
    items, feedback = PlanItem._meta.db_table, UserTaskFeedback._meta.db_table
    for part in _old_partitions(report.cutoff):
        lower = part.lower or date.min
        if dry_run:
            with connection.cursor() as cursor:
                # The planner's estimate: counting a month of items would scan it.
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [part.name]
                )
                say(f"would drop partition {part.name} (about {cursor.fetchone()[0]} items)")
            report.partitions_dropped.append(part.name)
            continue
        # Feedback copies its item's date: the links into this month are found by date.
        # The date range twice: the outer one lets the update touch only that month's
        # feedback partitions.
        clear = (
            f'UPDATE "{feedback}" SET plan_item_id = NULL WHERE "{KEY}" >= %s AND "{KEY}" < %s '
            f'AND id IN (SELECT id FROM "{feedback}" WHERE plan_item_id IS NOT NULL '
            f'AND "{KEY}" >= %s AND "{KEY}" < %s LIMIT %s)'
        )
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(clear, [lower, part.upper, lower, part.upper, batch_size])
                cleared = cursor.rowcount
            report.links_cleared += cleared
            if cleared < batch_size:
                break
        with transaction.atomic(), connection.cursor() as cursor:
            # Deferred foreign-key checks still queued in this transaction would block DROP.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{items}" DETACH PARTITION "{part.name}"')
            cursor.execute(f'DROP TABLE "{part.name}"')
        report.partitions_dropped.append(part.name)
        say(f"dropped partition {part.name}")


def _delete_plans(report: PruneReport, batch_size: int, dry_run: bool, say) -> None:
    """Plans dated before the day before the cutoff, their blocks and items, by batches.

    A plan's items fall on its date or (a late Wind Down) the next day, so these plans
    hold only items older than the cutoff.
    """
    last_day = report.cutoff - timedelta(days=1)
    plans = Plan.objects.filter(date__lt=last_day).order_by("date")  # idx_plans_date_type
    if dry_run:
        report.plans = plans.count()
        report.items = PlanItem.objects.filter(plan__date__lt=last_day).count()
        say(f"would delete {report.plans} plans with {report.items} items")
        return
    pk = Plan._meta.pk
    while True:
        with transaction.atomic():
            ids = [
                pk.get_db_prep_value(plan_id, connection)
                for plan_id in plans.values_list("id", flat=True)[:batch_size]
            ]
            if not ids:
                break
            marks = ", ".join(["%s"] * len(ids))
            counts = []
            with connection.cursor() as cursor:
                # Plain SQL, as routines.storage replaces a plan: the database clears the
                # feedback links (ON DELETE SET NULL) without Django fetching every row.
                for model in (PlanItem, TimeBlock, Plan):
                    column = "id" if model is Plan else "plan_id"
                    table = model._meta.db_table
                    cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({marks})', ids)
                    counts.append(cursor.rowcount)
        report.items += counts[0]
        report.time_blocks += counts[1]
        report.plans += counts[2]
    say(f"deleted {report.plans} plans, {report.time_blocks} time blocks, {report.items} items")
