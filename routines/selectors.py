import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db.models import Count, Max, OuterRef, Subquery

from profiles.models import UserPreferenceProfile

from .models import Plan, PlanItem, TimeBlock
from .planning import MAX_ROTATION_WINDOW
from .sharding import KeyRange


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A plan with its blocks and items, loaded or written in bulk (no lazy queries)."""

    plan: Plan
    blocks: list[TimeBlock]
    items: list[PlanItem]

    @property
    def blocks_with_items(self) -> list["BlockWithItems"]:
        """Each block with its current tasks: a task swapped for another is history, kept
        in `items` but no longer shown (routines/swaps.py)."""
        by_block: dict = {}
        for item in self.items:
            if item.replaced_by is not None:
                continue
            by_block.setdefault(item.time_block_id, []).append(item)
        return [BlockWithItems(block, by_block.get(block.id, [])) for block in self.blocks]


@dataclass(frozen=True, slots=True)
class BlockWithItems:
    block: TimeBlock
    items: list[PlanItem]


def get_stored_plan(user_id: uuid.UUID, day: date) -> StoredPlan | None:
    plan = Plan.objects.filter(user_id=user_id, date=day).first()
    if plan is None:
        return None
    return load_plan_contents(plan)


def load_plan_contents(plan: Plan) -> StoredPlan:
    blocks = list(TimeBlock.objects.filter(plan=plan).order_by("position"))
    items = list(PlanItem.objects.filter(plan=plan).order_by("position"))
    return StoredPlan(plan, blocks, items)


def stored_plans_between(user_id: uuid.UUID, first: date, last: date) -> list[StoredPlan]:
    """The user's plans dated first..last, newest first: three queries for any number.

    Plans by the (user_id, date) unique index; blocks and items by their plan ids (the
    (plan, position) unique indexes), so the cost follows the days asked for, not history.
    """
    plans = list(Plan.objects.filter(user_id=user_id, date__gte=first, date__lte=last))
    if not plans:
        return []
    ids = [plan.id for plan in plans]
    blocks: dict = {}
    for block in TimeBlock.objects.filter(plan_id__in=ids).order_by("plan_id", "position"):
        blocks.setdefault(block.plan_id, []).append(block)
    items: dict = {}
    for item in PlanItem.objects.filter(plan_id__in=ids).order_by("plan_id", "position"):
        items.setdefault(item.plan_id, []).append(item)
    plans.sort(key=lambda plan: plan.date, reverse=True)
    return [StoredPlan(p, blocks.get(p.id, []), items.get(p.id, [])) for p in plans]


def recent_task_use(user_id: uuid.UUID, day: date) -> dict[str, date]:
    """Task id -> the latest date before `day` the user was planned it (rotation window)."""
    return recent_task_use_many([user_id], day).get(user_id, {})


def recent_task_use_many(user_ids: list[uuid.UUID], day: date) -> dict[uuid.UUID, dict[str, date]]:
    """recent_task_use for many users in one query (the nightly batch)."""
    rows = (
        PlanItem.objects.filter(
            user_id__in=user_ids,
            # The item's own date (always its plan's): the (user_id, scheduled_date) index
            # bounds the read to the window, where a join on plans.date read every item
            # the user ever had.
            scheduled_date__gte=day - timedelta(days=MAX_ROTATION_WINDOW),
            scheduled_date__lt=day,
            task_library__isnull=False,
        )
        .values("user_id", "task_library_id")
        .annotate(last=Max("scheduled_date"))
        .values_list("user_id", "task_library_id", "last")
    )
    recent: dict[uuid.UUID, dict[str, date]] = {}
    for user_id, task_id, last in rows:
        recent.setdefault(user_id, {})[str(task_id)] = last
    return recent


def swaps_by_task(task_ids: list[str], since: date, until: date) -> dict[str, int]:
    """Task id -> how often users swapped it out of their plans dated since..until (every
    user: the editors' plan preview). One query on the swapped items' partial index."""
    if not task_ids:
        return {}
    rows = (
        PlanItem.objects.filter(
            replaced_by__isnull=False,
            task_library_id__in=task_ids,
            scheduled_date__gte=since,
            scheduled_date__lte=until,
        )
        .order_by()
        .values("task_library_id")
        .annotate(n=Count("id"))
        .values_list("task_library_id", "n")
    )
    return {str(task): n for task, n in rows}


@dataclass(frozen=True, slots=True)
class UserToPlan:
    user_id: uuid.UUID
    archetype: str
    wake_time: time | None


def users_to_plan(
    user_ids: list[uuid.UUID] | None, batch_size: int, key_range: KeyRange | None = None
) -> Iterator[list[UserToPlan]]:
    """Users with a preference profile, in user_id order, one bounded batch at a time.

    Keyset pagination keeps memory flat however many users there are; each user's wake
    time comes from their latest plan in the same query. A key range (a shard, a Celery
    chunk) reads only its own users, through the primary key.
    """
    latest_wake = Plan.objects.filter(user_id=OuterRef("user_id")).order_by("-date")
    profiles = UserPreferenceProfile.objects.order_by("user_id").annotate(
        last_wake=Subquery(latest_wake.values("wake_time")[:1])
    )
    if user_ids is not None:
        profiles = profiles.filter(user_id__in=user_ids)
    if key_range is not None and key_range.low is not None:
        profiles = profiles.filter(user_id__gte=key_range.low)
    if key_range is not None and key_range.high is not None:
        profiles = profiles.filter(user_id__lt=key_range.high)
    after = None
    while True:
        page = profiles if after is None else profiles.filter(user_id__gt=after)
        rows = list(page.values_list("user_id", "archetype", "last_wake")[:batch_size])
        if not rows:
            return
        yield [UserToPlan(*row) for row in rows]
        after = rows[-1][0]


@dataclass(frozen=True, slots=True)
class PlanPage:
    """A page of the resync list: the days first..last, and the older days left, if any."""

    user_id: uuid.UUID
    first: date
    last: date
    plans: list[StoredPlan]
    older: tuple[date, date] | None  # (from, to) of the next page
    next: str | None = None  # its URL, set by the view


def page_window(
    first: date | None, last: date | None, today: date, page_days: int
) -> tuple[date, date, tuple[date, date] | None]:
    """(page's first day, page's last day, the next page's (from, to) or None); pure.

    Newest first: a page is the last `page_days` days of from..to. Without `to` the range
    ends on the user's local today; without `from` it is one page long.
    """
    last = last or today
    first = first or last - timedelta(days=page_days - 1)
    page_first = max(first, last - timedelta(days=page_days - 1))
    older = (first, page_first - timedelta(days=1)) if page_first > first else None
    return page_first, last, older


def plan_page(
    user_id: uuid.UUID, first: date | None, last: date | None, today: date, page_days: int
) -> PlanPage:
    page_first, page_last, older = page_window(first, last, today, page_days)
    plans = stored_plans_between(user_id, page_first, page_last)
    return PlanPage(user_id, page_first, page_last, plans, older)
