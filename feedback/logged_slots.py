"""Reading logged slots for off-policy evaluation in bounded chunks of users (reads only).

evaluate_policy used to load every logged item of the period, and every outcome, at once
(932 MB for one day of logs at scale). Here the period's logged items are read one key range
of user ids at a time, with at most `max_rows` items a chunk, each chunk whole users (a
user's days are replayed in order and the bootstrap resamples whole users).

User ids are random (uuid4), so splitting the id space evenly splits the rows evenly; a
range that still comes back over `max_rows` (ids that are not random, or a crowded range)
is halved until it fits. The read filters on the item's own `scheduled_date` day by day
(`IN` the period's days) and a user-id range: on PostgreSQL that is one exact range of
idx_plan_items_logged_day_user per day (tests/feedback/test_evaluation_streaming.py checks
the plan), so a chunk costs the same however long the history or big the table. An item
belongs to its plan's date: a late Wind Down scheduled after midnight is read through the
day after the period and kept by its plan's date, as before.
"""

import math
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from routines.models import Plan, PlanItem

MAX_ROWS = 20_000
ID_SPACE = 1 << 128


@dataclass(frozen=True, slots=True)
class LoggedSlot:
    user_id: uuid.UUID
    day: date  # the plan's date
    archetype: str
    mode: str
    position: int
    time_of_day: str
    task_id: uuid.UUID | None
    slot_log: bytes | None
    policy: str
    item_id: uuid.UUID


_FIELDS = (
    "user_id",
    "plan_id",
    "position",
    "time_of_day",
    "task_library_id",
    "slot_log",
    "policy",
    "id",
)


def _logged(since: date, until: date, user_ids: Sequence[uuid.UUID] | None):
    # No join to plans here: filtering on plans.date made PostgreSQL hash the whole
    # period's plans for every chunk. A chunk's plans are read by primary key instead.
    days = [since + timedelta(days=n) for n in range((until - since).days + 2)]
    items = PlanItem.objects.filter(
        propensity__isnull=False, is_dynamic=True, scheduled_date__in=days
    ).order_by()  # chunks are sorted in Python; no sort in SQL
    return items.filter(user_id__in=user_ids) if user_ids is not None else items


def _slots(rows: list[tuple], since: date, until: date) -> list[LoggedSlot]:
    """The chunk's items of plans dated in [since, until], with their plan's facts."""
    plans = dict(
        (pk, facts)
        for pk, *facts in Plan.objects.filter(
            pk__in={row[1] for row in rows}, date__gte=since, date__lte=until
        ).values_list("pk", "date", "archetype", "readiness_mode")
    )
    slots = [LoggedSlot(user, *plans[plan], *rest) for user, plan, *rest in rows if plan in plans]
    slots.sort(key=lambda s: (s.user_id, s.day, s.position))
    return slots


def _in_range(items, low: int, high: int):
    items = items.filter(user_id__gte=uuid.UUID(int=low))
    # The top of the id space is one past the largest id: no upper bound there.
    return items.filter(user_id__lt=uuid.UUID(int=high)) if high < ID_SPACE else items


def logged_chunks(
    since: date,
    until: date,
    user_ids: Sequence[uuid.UUID] | None = None,
    max_rows: int = MAX_ROWS,
    id_range: tuple[int, int] = (0, ID_SPACE),
) -> Iterator[list[LoggedSlot]]:
    """The period's logged slots of users whose id (as an integer) is in `id_range`, whole
    users per chunk, each chunk ordered by user, plan date and position; at most
    `max_rows` slots a chunk unless one user alone has more."""
    first, last = id_range
    items = _logged(since, until, user_ids)
    total = _in_range(items, first, last).count()
    if not total:
        return
    # Aim at half the limit so random ranges rarely need halving.
    parts = 1 << max(0, math.ceil(math.log2(2 * total / max_rows)))
    step = (last - first) // parts
    pending = [
        (first + n * step, first + (n + 1) * step if n + 1 < parts else last) for n in range(parts)
    ]
    pending.reverse()
    while pending:
        low, high = pending.pop()
        rows = list(_in_range(items, low, high).values_list(*_FIELDS)[: max_rows + 1])
        if len(rows) > max_rows and high - low > 1:
            middle = (low + high) // 2
            pending += [(middle, high), (low, middle)]
            continue
        if len(rows) > max_rows:  # one user id: read it whole
            rows = list(_in_range(items, low, high).values_list(*_FIELDS))
        if rows and (slots := _slots(rows, since, until)):
            yield slots
