"""What relearning reads: a user's outcomes, grouped, in one bounded statement.

The windowed groups (the 14-day learning window, the 28-day evidence window split by
weeks ago) and the live part of the lifetime totals come from the outcome model
(feedback/outcomes.py) over the last `totals.LIVE_READ_DAYS` days; the days before them
come folded (feedback/totals.py). So a feedback call reads the same number of rows at two
years of history as at one month.
"""

import uuid
from collections.abc import Sequence
from datetime import date

from core import sql_rows
from library.models import Task
from profiles import learning

from . import totals
from .models import UserOutcomeTotals, UserTaskFeedback, UserTaskFirst
from .outcomes import _DURATION, _date, _outcomes_params, _outcomes_sql, _uuid, fresh_since, windows

# One statement, five kinds of row (the first column):
#   0  grouped outcomes of the evidence window (flag: inside the learning window; weeks ago)
#   1  live lifetime counts: outcomes, completions, tasks completed and not folded as firsts
#   2  distinct tasks completed in the learning window; live active days; recent active days
#   3  live days with a completion (streaks continue from the folded streak)
#   4  the folded totals row (and how many first completions it holds)
_HISTORY_SQL = """
WITH o AS ({outcomes})
SELECT 0, o.user_id, o.category, t.subcategory, t.difficulty, o.time_of_day, o.state,
       o.skip_reason, o.rating, o.mode, {duration},
       CASE WHEN o.day >= %s THEN 1 ELSE 0 END,
       CASE WHEN o.day >= %s THEN 0 WHEN o.day >= %s THEN 1 ELSE 2 END,
       COUNT(*), 0, 0, CAST(NULL AS DATE), CAST(NULL AS DATE)
  FROM o LEFT JOIN {task} t ON t.id = o.task_id
 WHERE o.day >= %s
 GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
UNION ALL
SELECT 1, o.user_id, NULL, NULL, NULL, NULL, NULL, NULL, {no_int}, NULL, NULL, {no_int},
       {no_int}, COUNT(*),
       SUM(CASE WHEN o.state = 'completed' THEN 1 ELSE 0 END),
       COUNT(DISTINCT CASE WHEN o.state = 'completed' AND NOT EXISTS (
           SELECT 1 FROM {firsts} ft WHERE ft.user_id = o.user_id
              AND ft.task_library_id = o.task_id) THEN o.task_id END),
       CAST(NULL AS DATE), CAST(NULL AS DATE)
  FROM o JOIN {totals} tt ON tt.user_id = o.user_id
 WHERE o.day > tt.folded_through
 GROUP BY o.user_id
UNION ALL
SELECT 2, o.user_id, NULL, NULL, NULL, NULL, NULL, NULL, {no_int}, NULL, NULL, {no_int},
       {no_int},
       COUNT(DISTINCT CASE WHEN o.state = 'completed' AND o.day >= %s THEN o.task_id END),
       COUNT(DISTINCT CASE WHEN o.state <> 'unanswered' AND o.day > tt.folded_through
                           THEN o.day END),
       COUNT(DISTINCT CASE WHEN o.state <> 'unanswered' AND o.day >= %s THEN o.day END),
       CAST(NULL AS DATE), CAST(NULL AS DATE)
  FROM o LEFT JOIN {totals} tt ON tt.user_id = o.user_id
 GROUP BY o.user_id
UNION ALL
SELECT DISTINCT 3, o.user_id, NULL, NULL, NULL, NULL, NULL, NULL, {no_int}, NULL, NULL,
       {no_int}, {no_int}, 0, 0, 0, o.day, CAST(NULL AS DATE)
  FROM o JOIN {totals} tt ON tt.user_id = o.user_id
 WHERE o.state = 'completed' AND o.day > tt.folded_through
UNION ALL
SELECT 4, tt.user_id, NULL, NULL, NULL, NULL, NULL, NULL, tt.streak_run, NULL, NULL,
       tt.longest_streak,
       (SELECT COUNT(*) FROM {firsts} ft WHERE ft.user_id = tt.user_id),
       tt.outcomes, tt.completed, tt.active_days, tt.folded_through, tt.streak_last_day
  FROM {totals} tt WHERE tt.user_id IN ({users})
"""


def outcome_histories(
    user_ids: Sequence[uuid.UUID], today: date
) -> dict[uuid.UUID, learning.OutcomeHistory]:
    """Each user's outcomes as relearning reads them, in one statement for all the users.

    Grouped in the database: a few dozen rows a user plus one per live completed day. A
    user whose fold is due (every few days, and the first time) is folded first and read
    again; run it under the users' profile locks, as relearning does.
    """
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    histories, folded = _read(ids, today)
    due = [u for u in ids if totals.fold_due(getattr(folded[u], "folded_through", None), today)]
    if due:
        totals.fold(due, today, {u: folded[u] for u in due})
        again, _ = _read(due, today)
        histories.update(again)
    return histories


def outcome_history(user_id: uuid.UUID, today: date) -> learning.OutcomeHistory:
    return outcome_histories([user_id], today)[user_id]


def _read(ids: list[uuid.UUID], today: date):
    since, evidence_since = windows(today)
    sql = _HISTORY_SQL.format(
        outcomes=_outcomes_sql(len(ids)),
        task=Task._meta.db_table,
        totals=UserOutcomeTotals._meta.db_table,
        firsts=UserTaskFirst._meta.db_table,
        duration=_DURATION,
        users=", ".join(["%s"] * len(ids)),
        no_int="CAST(NULL AS INTEGER)",  # PostgreSQL types a bare NULL in a UNION as text
    )
    users = [sql_rows.param(UserOutcomeTotals, "user_id", u) for u in ids]
    params = [
        *_outcomes_params(ids, totals.live_since(today), today),
        since,
        fresh_since(today),
        since,
        evidence_since,
        since,
        since,
        *users,
    ]
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    parts: dict[uuid.UUID, dict] = {
        user: {
            "groups": [],
            "evidence": [],
            "live": [0, 0, 0, 0, 0],
            "days": [],
            "active": 0,
            "folded": None,
            "firsts": 0,
        }
        for user in ids
    }
    for kind, user, cat, sub, difficulty, part, state, reason, rating, mode, length, *rest in rows:
        mine = parts[_uuid(user)]
        recent, weeks_ago, n, a, b, day, day2 = rest
        if kind == 0:
            group = learning.OutcomeGroup(
                cat,
                sub,
                difficulty,
                part,
                state,
                n,
                reason or "",
                rating,
                mode or "",
                length,
                weeks_ago,
            )
            mine["evidence"].append(group)
            if recent:
                mine["groups"].append(group)
        elif kind == 1:
            mine["live"][0:3] = [n, int(a or 0), b]
        elif kind == 2:
            mine["live"][3] = n
            mine["live"][4] = a
            mine["active"] = b
        elif kind == 3:
            mine["days"].append(_date(day))
        else:
            mine["folded"] = UserOutcomeTotals(
                user_id=_uuid(user),
                folded_through=_date(day),
                outcomes=n,
                completed=a,
                active_days=b,
                streak_last_day=day2 and _date(day2),
                streak_run=rating,
                longest_streak=recent,
            )
            mine["firsts"] = weeks_ago
    histories, folded = {}, {}
    for user, part in parts.items():
        seen, completed, new_tasks, recent_tasks, live_active = part["live"]
        row = folded[user] = part["folded"]
        f_seen, f_completed, f_active = (
            (row.outcomes, row.completed, row.active_days) if row else (0, 0, 0)
        )
        f_firsts, streak = part["firsts"], totals.streak_state(row)
        histories[user] = learning.OutcomeHistory(
            part["groups"],
            part["evidence"],
            f_seen + seen,
            f_completed + completed,
            f_firsts + new_tasks,
            recent_tasks,
            f_active + live_active,
            sorted(part["days"]),
            active_days_recent=part["active"],
            streak_before=streak,
        )
    return histories, folded


# ---- a week's streak and new tasks, for the weekly summary --------------------------------

# Live completed days up to the week's end, and the week's tasks completed for the first
# time: not a folded first completion, and not completed on a live day before the week.
_WEEK_SQL = """
SELECT DISTINCT 1, f.scheduled_date, NULL
  FROM {feedback} f
 WHERE f.user_id = %s AND f.completed AND f.scheduled_date > %s AND f.scheduled_date <= %s
UNION ALL
SELECT DISTINCT 2, CAST(NULL AS DATE), t.name
  FROM {feedback} f JOIN {task} t ON t.id = f.task_library_id
 WHERE f.user_id = %s AND f.completed AND f.scheduled_date >= %s AND f.scheduled_date <= %s
   AND NOT EXISTS (SELECT 1 FROM {firsts} ft
                    WHERE ft.user_id = f.user_id AND ft.task_library_id = f.task_library_id)
   AND NOT EXISTS (SELECT 1 FROM {feedback} e
                    WHERE e.user_id = f.user_id AND e.task_library_id = f.task_library_id
                      AND e.completed AND e.scheduled_date > %s AND e.scheduled_date < %s)
"""


def week_completions(
    user_id: uuid.UUID, week_start: date, week_end: date, today: date
) -> tuple[int, int, list[str]] | None:
    """(current streak, longest streak, names of tasks first completed that week), as of
    the week's end (today for the current week), reading only the days after the fold.

    None when the week reaches into folded days (or nothing is folded yet): the caller
    then reads the whole history, the one summary that still grows with it.
    """
    folded = UserOutcomeTotals.objects.filter(user_id=user_id).first()
    if folded is None or week_start <= folded.folded_through:
        return None
    anchor = min(today, week_end)
    sql = _WEEK_SQL.format(
        feedback=UserTaskFeedback._meta.db_table,
        task=Task._meta.db_table,
        firsts=UserTaskFirst._meta.db_table,
    )
    user = sql_rows.param(UserTaskFeedback, "user_id", user_id)
    through = folded.folded_through
    params = [user, through, anchor, user, week_start, anchor, through, week_start]
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    days = [_date(day) for kind, day, _ in rows if kind == 1]
    current, longest = learning.streaks(days, anchor, totals.streak_state(folded))
    return current, longest, sorted(name for kind, _, name in rows if kind == 2)
