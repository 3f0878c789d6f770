"""The outcome model: what happened to each planned item, defined once.

The spec's mobile client posts feedback when a task is ticked (and again with a star
rating) and sends nothing for a task the user ignores. So an item's outcome is:

- completed / skipped: the user said so (a feedback row; it survives plan replacement);
- swapped: the user swapped the task for another before doing it ("Not this one",
  feedback/swaps.py; a feedback row marked `swapped`): an explicit rejection of the task
  and, more weakly, of its kind (profiles.learning.SWAP_TEACHES). It makes the day active,
  as any feedback does;
- unanswered: no feedback for the item, its day is over (before `today`), and the user was
  active that day (sent feedback for any item dated that day): a not-completed outcome;
- unexposed: no feedback at all for that day: the plan was probably not seen, so its items
  teach nothing and are not counted as outcomes;
- pending: today or later and unanswered: not an outcome yet.

Feedback counts only for items dated up to `today`: a skip on a plan ten days ahead says
nothing yet about the profile of today. `today` is the user's local date for a feedback
call, and the plan date for the nightly run (regenerating day D+1 closes day D).

The profile (relearning), the adaptive scorer's evidence, the weekly summary, the dashboard
and off-policy evaluation all read outcomes through the SQL below (`_OUTCOMES`); nothing
else decides what counts. Portable SQL, SQLite and PostgreSQL; every read is bounded by a
date window; relearning's lifetime totals add folded days (feedback/history.py, totals.py).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core import sql_rows
from library.models import Task
from library.scoring import SHORT_TASK_MINUTES
from profiles import forgetting, learning
from routines.models import Plan, PlanItem

from .models import UserTaskFeedback

EPOCH = date(1970, 1, 1)

# One row per outcome. Parameters: the users, (from, today) for explicit feedback, the
# users again, (from, today) for unanswered items. The queries below GROUP BY position: the
# same CASE with a bound parameter would not match its SELECT twin on PostgreSQL.
_OUTCOMES = """
SELECT f.user_id AS user_id, f.plan_item_id AS item_id, f.scheduled_date AS day,
       f.category AS category, f.time_of_day AS time_of_day, f.task_library_id AS task_id,
       CASE WHEN f.completed THEN 'completed' WHEN f.swapped THEN 'swapped'
            ELSE 'skipped' END AS state,
       f.skip_reason AS skip_reason, f.satisfaction_rating AS rating, f.mode_at_time AS mode
  FROM {feedback} f
 WHERE {feedback_users} f.scheduled_date >= %s AND f.scheduled_date <= %s
UNION ALL
SELECT i.user_id, i.id, i.scheduled_date, i.category, i.time_of_day, i.task_library_id,
       'unanswered', '', NULL, p.readiness_mode
  FROM {item} i JOIN {plan} p ON p.id = i.plan_id
 WHERE {item_users} i.scheduled_date >= %s AND i.scheduled_date < %s
   AND NOT EXISTS (SELECT 1 FROM {feedback} fi
                    WHERE fi.user_id = i.user_id AND fi.plan_item_id = i.id)
   AND EXISTS (SELECT 1 FROM {feedback} fa
                WHERE fa.user_id = i.user_id AND fa.scheduled_date = i.scheduled_date)
"""

_DURATION = (
    f"CASE WHEN t.duration_minutes IS NULL THEN NULL "
    f"WHEN t.duration_minutes > {SHORT_TASK_MINUTES} THEN 'long' ELSE 'short' END"
)


def _outcomes_sql(user_count: int | None) -> str:
    """The outcome rows of `user_count` users (their ids are parameters), or of everyone."""
    users = ", ".join(["%s"] * user_count) if user_count is not None else ""
    return _OUTCOMES.format(
        feedback=UserTaskFeedback._meta.db_table,
        item=PlanItem._meta.db_table,
        plan=Plan._meta.db_table,
        feedback_users=f"f.user_id IN ({users}) AND" if users else "",
        item_users=f"i.user_id IN ({users}) AND" if users else "",
    )


def _outcomes_params(user_ids: Sequence[uuid.UUID] | None, since: date, today: date) -> list:
    users = [sql_rows.param(UserTaskFeedback, "user_id", u) for u in user_ids or ()]
    return [*users, since, today, *users, since, today]


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# ---- the windows relearning reads -------------------------------------------------------


def windows(today: date) -> tuple[date, date]:
    """(learning window start, evidence window start) for a profile as of `today`."""
    return (
        today - timedelta(days=learning.WINDOW_DAYS - 1),
        today - timedelta(days=learning.EVIDENCE_DAYS - 1),
    )


def fresh_since(today: date) -> date:
    """The first day of the fresh week that forgetting compares with the weeks before."""
    return today - timedelta(days=forgetting.FRESH_DAYS - 1)


# ---- one week, for the summary ----------------------------------------------------------

_WEEK_SQL = """
WITH o AS ({outcomes})
SELECT CASE WHEN o.day >= %s THEN 1 ELSE 0 END, o.category, t.subcategory, o.state,
       o.skip_reason, COUNT(*)
  FROM o LEFT JOIN {task} t ON t.id = o.task_id
 WHERE o.day <= %s
 GROUP BY 1, 2, 3, 4, 5
"""


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    this_week: bool
    category: str
    subcategory: str | None
    state: str
    skip_reason: str
    count: int


def week_outcomes(user_id: uuid.UUID, week_start: date, today: date) -> list[OutcomeCount]:
    """Outcomes of the week from `week_start` and of the week before, by the item's date."""
    week_end = week_start + timedelta(days=6)
    sql = _WEEK_SQL.format(outcomes=_outcomes_sql(1), task=Task._meta.db_table)
    params = [
        *_outcomes_params([user_id], week_start - timedelta(days=7), today),
        week_start,
        week_end,
    ]
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        OutcomeCount(bool(this), category, sub, state, reason or "", n)
        for this, category, sub, state, reason, n in rows
    ]


# ---- every user's outcomes by category, for the dashboard ---------------------------------

_CATEGORY_SQL = """
WITH o AS ({outcomes})
SELECT o.category, SUM(CASE WHEN o.state = 'completed' THEN 1 ELSE 0 END), COUNT(*)
  FROM o WHERE o.day <= %s GROUP BY o.category ORDER BY o.category
"""


def outcomes_by_category(since: date, until: date, today: date) -> list[tuple[str, int, int]]:
    """(category, completed, outcomes) over every user's items dated since..until."""
    sql = _CATEGORY_SQL.format(outcomes=_outcomes_sql(None))
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, [*_outcomes_params(None, since, today), until])
        return [(category, int(done), int(n)) for category, done, n in cursor.fetchall()]


# ---- active user-days, for the holdout's lift ----------------------------------------------

# An active user-day is a (user, day) with at least one outcome: the user sent feedback for
# an item dated that day (which also makes the day's other past items unanswered). It is the
# same "active" that decides unanswered against unexposed above; silent days are not counted.
_ACTIVE_DAYS_SQL = """
WITH o AS ({outcomes})
SELECT o.user_id, o.day, COUNT(*), SUM(CASE WHEN o.state = 'completed' THEN 1 ELSE 0 END)
  FROM o WHERE o.day <= %s GROUP BY o.user_id, o.day
"""


@dataclass(frozen=True, slots=True)
class ActiveUserDay:
    user_id: uuid.UUID
    day: date
    outcomes: int  # completed, skipped or unanswered
    completed: int


def active_user_days(since: date, until: date, today: date) -> list[ActiveUserDay]:
    """Every user's active days since..until (closed: before `today`) and their outcomes."""
    sql = _ACTIVE_DAYS_SQL.format(outcomes=_outcomes_sql(None))
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, [*_outcomes_params(None, since, today), until])
        rows = cursor.fetchall()
    return [
        ActiveUserDay(_uuid(user), _date(day), int(n), int(done or 0))
        for user, day, n, done in rows
    ]


# ---- an item without an outcome row ------------------------------------------------------

PENDING = "pending"
UNEXPOSED = "unexposed"


def state_without_outcome(day: date, today: date) -> str:
    """What an item that is not among the outcomes is: its day has not ended yet (pending),
    or it ended with no feedback from the user that day (unexposed, the plan unseen)."""
    return PENDING if day >= today else UNEXPOSED


# ---- item by item, for off-policy evaluation ----------------------------------------------

_ITEMS_SQL = """
WITH o AS ({outcomes})
SELECT o.user_id, o.item_id, o.day, o.category, t.subcategory, t.difficulty, o.time_of_day,
       o.state, o.skip_reason, o.rating, o.mode, {duration}
  FROM o LEFT JOIN {task} t ON t.id = o.task_id
 {until}
 ORDER BY o.user_id, o.day
"""


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    user_id: uuid.UUID
    item_id: uuid.UUID | None  # None once the item's plan was replaced
    day: date
    group: learning.OutcomeGroup  # count 1

    @property
    def reward(self) -> float:
        return 1.0 if self.group.state == learning.COMPLETED else 0.0


def item_outcomes(
    user_ids: Sequence[uuid.UUID], since: date, today: date, until: date | None = None
) -> list[ItemOutcome]:
    """Every outcome of these users' items dated from `since` (to `until`), as of `today`.

    `until` bounds a page of a long history (the privacy export): the days after it are
    not read, and the outcomes up to it are exactly those of the unbounded call.
    """
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return []
    # Ending the inner read the day after `until` keeps `until`'s own unanswered items
    # (they need their day to be over, day < today) without reading later days.
    bound = today if until is None or until >= today else until + timedelta(days=1)
    sql = _ITEMS_SQL.format(
        outcomes=_outcomes_sql(len(ids)),
        task=Task._meta.db_table,
        duration=_DURATION,
        until="WHERE o.day <= %s" if until is not None else "",
    )
    params = _outcomes_params(ids, since, bound) + ([until] if until is not None else [])
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        ItemOutcome(
            _uuid(user),
            _uuid(item) if item is not None else None,
            _date(day),
            learning.OutcomeGroup(
                cat, sub, difficulty, part, state, 1, reason or "", rating, mode or "", length
            ),
        )
        for user, item, day, cat, sub, difficulty, part, state, reason, rating, mode, length in rows
    ]
