"""Lifetime outcome totals folded day by day, so relearning reads a bounded window.

The profile's lifetime fields (outcomes, completions, distinct tasks completed, active
days, streaks) used to be counted from every outcome the user ever had, on every feedback
call: the cost grew with the history (issue 18). Now the days older than
`KEEP_LIVE_DAYS` are folded into one row per user (`UserOutcomeTotals`: counts and the
streak at the fold's edge) and one row per task first completed (`UserTaskFirst`), and
relearning adds the live days after the fold from the outcome model. Folding happens
under the profile's lock, inside relearning, every `FOLD_EVERY_DAYS` days; each fold
reads only the days it adds.

Folded days can still change: feedback may arrive late for an item weeks old. Such a call
re-counts the changed days (their outcomes before and after the write: the difference is
exact even after retention pruned other old plan items) and recomputes the completion
facts (first completions, streaks) from the feedback rows, which retention keeps. That is
the one path whose cost grows with the history, and the client's ticks are same-day.

`totals_check.check_totals` recomputes a user's fold from the raw rows for the
`outcome_totals` command (check, repair) and the tests that compare the two.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection

from core import sql_rows
from profiles import learning

from .models import UserOutcomeTotals, UserTaskFirst
from .outcomes import EPOCH, _date, _outcomes_params, _outcomes_sql, _uuid

# Days kept live (read from the outcome model on each relearn): at least the evidence
# window (28 days) plus two days of slack for a user whose local today lags the nightly
# run's. A fold is due once the live days exceed KEEP_LIVE_DAYS + FOLD_EVERY_DAYS.
KEEP_LIVE_DAYS = 30
FOLD_EVERY_DAYS = 4
LIVE_READ_DAYS = KEEP_LIVE_DAYS + FOLD_EVERY_DAYS


def live_since(today: date) -> date:
    """The first day relearning reads live as of `today`; older days must be folded."""
    return today - timedelta(days=LIVE_READ_DAYS - 1)


def fold_due(folded_through: date | None, today: date) -> bool:
    return folded_through is None or folded_through < live_since(today) - timedelta(days=1)


def fold_target(today: date) -> date:
    return today - timedelta(days=KEEP_LIVE_DAYS)


@dataclass(slots=True)
class FoldPart:
    """What a range of closed days adds to a user's totals."""

    outcomes: int = 0
    completed: int = 0
    active_days: int = 0
    completed_days: list[date] = field(default_factory=list)
    firsts: dict[uuid.UUID, date] = field(default_factory=dict)  # task -> first day


# Outcomes of days after each user's fold (the join) and up to `through`, closed.
_FOLD_SQL = """
WITH o AS ({outcomes})
SELECT 1, o.user_id, CAST(NULL AS DATE), {no_task}, COUNT(*),
       SUM(CASE WHEN o.state = 'completed' THEN 1 ELSE 0 END),
       COUNT(DISTINCT CASE WHEN o.state <> 'unanswered' THEN o.day END)
  FROM o LEFT JOIN {totals} tt ON tt.user_id = o.user_id
 WHERE o.day > COALESCE(tt.folded_through, %s) AND o.day <= %s
 GROUP BY o.user_id
UNION ALL
SELECT DISTINCT 2, o.user_id, o.day, {no_task}, 0, 0, 0
  FROM o LEFT JOIN {totals} tt ON tt.user_id = o.user_id
 WHERE o.day > COALESCE(tt.folded_through, %s) AND o.day <= %s AND o.state = 'completed'
UNION ALL
SELECT 3, o.user_id, MIN(o.day), o.task_id, 0, 0, 0
  FROM o LEFT JOIN {totals} tt ON tt.user_id = o.user_id
 WHERE o.day > COALESCE(tt.folded_through, %s) AND o.day <= %s AND o.state = 'completed'
   AND o.task_id IS NOT NULL
 GROUP BY o.user_id, o.task_id
"""

# The same counts over an explicit range, ignoring the fold (re-counting changed days).
_RANGE_SQL = """
WITH o AS ({outcomes})
SELECT 1, o.user_id, CAST(NULL AS DATE), {no_task}, COUNT(*),
       SUM(CASE WHEN o.state = 'completed' THEN 1 ELSE 0 END),
       COUNT(DISTINCT CASE WHEN o.state <> 'unanswered' THEN o.day END)
  FROM o WHERE o.day >= %s AND o.day <= %s GROUP BY o.user_id
UNION ALL
SELECT DISTINCT 2, o.user_id, o.day, {no_task}, 0, 0, 0
  FROM o WHERE o.day >= %s AND o.day <= %s AND o.state = 'completed'
UNION ALL
SELECT 3, o.user_id, MIN(o.day), o.task_id, 0, 0, 0
  FROM o WHERE o.day >= %s AND o.day <= %s AND o.state = 'completed'
   AND o.task_id IS NOT NULL
 GROUP BY o.user_id, o.task_id
"""


def _no_task() -> str:
    # PostgreSQL types a bare NULL in a UNION by its first branch; the task id is a uuid.
    return "CAST(NULL AS UUID)" if connection.vendor == "postgresql" else "NULL"


def _parts(sql: str, user_ids: Sequence[uuid.UUID], since: date, through: date, bounds: list):
    ids = list(dict.fromkeys(user_ids))
    parts = {user: FoldPart() for user in ids}
    if not ids or through < since:
        return parts
    query = sql.format(
        outcomes=_outcomes_sql(len(ids)),
        totals=UserOutcomeTotals._meta.db_table,
        no_task=_no_task(),
    )
    # `through + 1` as the outcome model's today: every day up to `through` is closed.
    params = [*_outcomes_params(ids, since, through + timedelta(days=1)), *bounds]
    with sql_rows.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    for kind, user, day, task, n, done, active in rows:
        part = parts[_uuid(user)]
        if kind == 1:
            part.outcomes, part.completed, part.active_days = n, int(done or 0), active
        elif kind == 2:
            part.completed_days.append(_date(day))
        else:
            part.firsts[_uuid(task)] = _date(day)
    return parts


def fold_parts(
    user_ids: Sequence[uuid.UUID], since: date, through: date
) -> dict[uuid.UUID, FoldPart]:
    """What the days after each user's fold, up to `through`, add. `since` is the earliest
    of the users' first unfolded days: it bounds the read."""
    bounds = [EPOCH, through] * 3
    return _parts(_FOLD_SQL, user_ids, since, through, bounds)


def range_parts(
    user_ids: Sequence[uuid.UUID], since: date, through: date
) -> dict[uuid.UUID, FoldPart]:
    """What the days since..through hold, folded or not."""
    return _parts(_RANGE_SQL, user_ids, since, through, [since, through] * 3)


def streak_state(totals: UserOutcomeTotals | None) -> learning.StreakState:
    if totals is None:
        return learning.StreakState()
    return learning.StreakState(totals.streak_last_day, totals.streak_run, totals.longest_streak)


def fold(
    user_ids: Sequence[uuid.UUID],
    today: date,
    current: dict[uuid.UUID, UserOutcomeTotals | None] | None = None,
) -> dict[uuid.UUID, UserOutcomeTotals]:
    """Fold the closed days older than the live window for these users, where due.

    Call it under the users' profile locks (relearning does). `current` is each user's
    totals row if the caller has just read it (None: no row yet); otherwise it is read.
    Returns every user's totals row, folded or not. Reads only the days it adds (all of
    them, once, for a user's first fold); writes the rows that changed and the new first
    completions.
    """
    ids = list(dict.fromkeys(user_ids))
    if current is None:
        current = {t.user_id: t for t in UserOutcomeTotals.objects.filter(user_id__in=ids)}
    current = {user: row for user, row in current.items() if row is not None}
    due = [u for u in ids if fold_due(getattr(current.get(u), "folded_through", None), today)]
    if not due:
        return current
    target = fold_target(today)
    since = min(
        (current[u].folded_through + timedelta(days=1) if u in current else EPOCH) for u in due
    )
    parts = fold_parts(due, since, target)
    created, changed, firsts = [], [], []
    for user in due:
        part = parts[user]
        totals = current.get(user)
        if totals is None:
            totals = UserOutcomeTotals(user_id=user, folded_through=target)
            created.append(totals)
            current[user] = totals
        else:
            changed.append(totals)
        add_part(totals, part, target)
        firsts += [
            UserTaskFirst(user_id=user, task_library_id=task, first_completed_on=day)
            for task, day in part.firsts.items()
        ]
    UserOutcomeTotals.objects.bulk_create(created)
    sql_rows.update_many(changed, TOTAL_FIELDS)
    # A task already first-completed on an earlier folded day keeps that day.
    UserTaskFirst.objects.bulk_create(firsts, ignore_conflicts=True)
    return current


TOTAL_FIELDS = [
    "folded_through",
    "outcomes",
    "completed",
    "active_days",
    "streak_last_day",
    "streak_run",
    "longest_streak",
    "updated_at",
]


def add_part(totals: UserOutcomeTotals, part: FoldPart, through: date) -> None:
    totals.outcomes += part.outcomes
    totals.completed += part.completed
    totals.active_days += part.active_days
    _set_streak(totals, learning.extend_streak(streak_state(totals), part.completed_days))
    totals.folded_through = through


def _set_streak(totals: UserOutcomeTotals, state: learning.StreakState) -> None:
    totals.streak_last_day, totals.streak_run = state.last_day, state.run
    totals.longest_streak = state.longest


def folded_days(user_id: uuid.UUID, days: Iterable[date], horizon: date) -> list[date]:
    """Which of these days may be folded already: none newer than `horizon` can be, so the
    common call (today's items) costs no read of the totals row."""
    old = sorted({d for d in days if d <= horizon})
    if not old:
        return []
    totals = UserOutcomeTotals.objects.filter(user_id=user_id).only("folded_through").first()
    if totals is None:
        return []
    return [d for d in old if d <= totals.folded_through]


def recount(user_id: uuid.UUID, days: list[date], before: FoldPart) -> None:
    """After a write that changed folded `days`: add the difference of their counts and
    recompute the completion facts (first completions, streak) from the kept feedback."""
    after = range_parts([user_id], days[0], days[-1])[user_id]
    totals = UserOutcomeTotals.objects.select_for_update().get(user_id=user_id)
    totals.outcomes += after.outcomes - before.outcomes
    totals.completed += after.completed - before.completed
    totals.active_days += after.active_days - before.active_days
    recompute_completions(totals)


def before_change(user_id: uuid.UUID, days: list[date]) -> FoldPart:
    """The counts of folded `days` before a write changes them (see `recount`)."""
    return range_parts([user_id], days[0], days[-1])[user_id]


def recompute_completions(totals: UserOutcomeTotals) -> None:
    fresh = range_parts([totals.user_id], EPOCH, totals.folded_through)[totals.user_id]
    _set_streak(totals, learning.extend_streak(learning.StreakState(), fresh.completed_days))
    sql_rows.update_many([totals], TOTAL_FIELDS)
    UserTaskFirst.objects.filter(user_id=totals.user_id).delete()
    UserTaskFirst.objects.bulk_create(
        UserTaskFirst(user_id=totals.user_id, task_library_id=task, first_completed_on=day)
        for task, day in fresh.firsts.items()
    )
