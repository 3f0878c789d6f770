"""Daily rollups: anonymous aggregates of plans and outcomes that big dashboards read.

Three tables (feedback/models.py), all without user ids (the privacy issue needs aggregates
that cannot be traced to a person):

- `daily_outcome_rollups`: per item date, category, task, variation group, policy,
  archetype and mode: items planned, and the outcome model's completed, skipped by reason,
  unanswered, swapped and ratings (a swapped-out item stays planned: the user saw it).
  Outcomes come from `feedback.outcomes` (its `_OUTCOMES` rows, the
  one definition); "planned" is every stored plan item dated that day (its own
  `scheduled_date`), unexposed ones included. Feedback of a replaced plan survives as an
  outcome while its item is gone, so a group may have more outcomes than planned items.
- `daily_plan_rollups`: per plan date and kind: plans, items, items with feedback.
- `hydration_variety_rollups`: the spec's per-user-week hydration variety, as counts per
  stretch of a calendar week (see the model).

While a holdout runs, the same step writes `holdout_user_days` (per user and active day,
the outcome model's counts and the user's group), their sums per bucket and the dashboard
windows' distinct users, for the lift (feedback/holdout_days.py).

`rollup_days(since, until, today)` recomputes a range of closed days: it deletes the
range's rows and inserts them again in one transaction, so running it twice changes
nothing and any range can be repaired. Work is done a calendar week at a time: a week's
statements read only that week's plans, items and feedback through their date indexes, so
a run costs its range, never the history before it. The nightly run (`regenerate_plans`)
recomputes the last `LOOKBACK_DAYS` closed days; `rollup_outcomes` any range.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from core import sql_rows
from library.choices import Category
from routines.models import Plan, PlanItem

from .holdout_days import count_window_users, rollup_holdout_days
from .models import (
    DailyOutcomeRollup,
    DailyPlanRollup,
    HydrationVarietyRollup,
    SkipReason,
    UserTaskFeedback,
)
from .outcomes import _outcomes_params, _outcomes_sql

# Feedback keeps arriving after its day: a star rating the next morning, a phone that syncs
# after a weekend offline (and any feedback on a silent day turns its other items from
# unexposed into unanswered). The nightly run recomputes the three days before today, so a
# day's figures settle on the third night; cost is three days of rows, whatever the
# history. Later feedback reaches the rollups with `rollup_outcomes --since`.
LOOKBACK_DAYS = 3

_REASONS = (
    SkipReason.TOO_HARD,
    SkipReason.NO_TIME,
    SkipReason.NOT_INTERESTED,
    SkipReason.FORGOT,
)

_OUTCOME_ROLLUP_SQL = """
WITH o AS ({outcomes}),
g AS (
SELECT o.day AS day, o.category AS category, o.task_id AS task_id,
       COALESCE(i.variation_group, '') AS variation_group, COALESCE(i.policy, '') AS policy,
       COALESCE(p.archetype, '') AS archetype, COALESCE(o.mode, '') AS mode, 0 AS planned,
       o.state AS state, COALESCE(o.skip_reason, '') AS skip_reason, o.rating AS rating
  FROM o LEFT JOIN {item} i ON i.id = o.item_id LEFT JOIN {plan} p ON p.id = i.plan_id
 WHERE o.day <= %s
UNION ALL
SELECT i.scheduled_date, i.category, i.task_library_id, i.variation_group, i.policy,
       p.archetype, p.readiness_mode, 1, 'planned', '', NULL
  FROM {item} i JOIN {plan} p ON p.id = i.plan_id
 WHERE i.scheduled_date >= %s AND i.scheduled_date <= %s
)
INSERT INTO {rollup} (day, category, task_library_id, variation_group, policy, archetype,
       readiness_mode, planned, completed, {skip_columns}, skipped_other, unanswered,
       swapped, rating_count, rating_sum)
SELECT day, category, task_id, variation_group, policy, archetype, mode, SUM(planned),
       SUM(CASE WHEN state = 'completed' THEN 1 ELSE 0 END),
       {skip_sums},
       SUM(CASE WHEN state = 'skipped' AND skip_reason NOT IN ({reasons}) THEN 1 ELSE 0 END),
       SUM(CASE WHEN state = 'unanswered' THEN 1 ELSE 0 END),
       SUM(CASE WHEN state = 'swapped' THEN 1 ELSE 0 END),
       COUNT(rating), COALESCE(SUM(rating), 0)
  FROM g GROUP BY day, category, task_id, variation_group, policy, archetype, mode
"""

# Items with feedback as the dashboard always counted them: feedback rows linked to the
# plan's items (the user_id pair is the unique index that finds them).
_PLAN_ROLLUP_SQL = """
INSERT INTO {rollup} (day, plan_type, archetype, readiness_mode, plans, items,
       items_with_feedback)
SELECT day, plan_type, archetype, readiness_mode, COUNT(*), SUM(n), SUM(answered)
  FROM (SELECT p.id, p.date AS day, p.plan_type, p.archetype, p.readiness_mode,
               COUNT(i.id) AS n, COUNT(f.id) AS answered
          FROM {plan} p LEFT JOIN {item} i ON i.plan_id = p.id
          LEFT JOIN {feedback} f ON f.user_id = i.user_id AND f.plan_item_id = i.id
         WHERE p.date >= %s AND p.date <= %s
         GROUP BY p.id, p.date, p.plan_type, p.archetype, p.readiness_mode) per_plan
 GROUP BY day, plan_type, archetype, readiness_mode
"""

# Each user's distinct hydration tasks in each stretch (first_day..last_day of one week),
# by plan date as the dashboard always counted them, then only the counts are kept.
_VARIETY_SQL = """
WITH r (first_day, last_day) AS (VALUES {stretches}),
u AS (
SELECT r.first_day AS first_day, r.last_day AS last_day, i.user_id AS user_id,
       COUNT(DISTINCT i.task_library_id) AS n
  FROM {plan} p JOIN {item} i ON i.plan_id = p.id
  JOIN r ON p.date >= r.first_day AND p.date <= r.last_day
 WHERE p.date >= %s AND p.date <= %s AND i.category = %s AND i.task_library_id IS NOT NULL
   AND i.replaced_by IS NULL
 GROUP BY r.first_day, r.last_day, i.user_id
)
INSERT INTO {rollup} (first_day, last_day, user_weeks, varied)
SELECT first_day, last_day, COUNT(*), SUM(CASE WHEN n >= %s THEN 1 ELSE 0 END)
  FROM u GROUP BY first_day, last_day
"""

VARIETY_MIN_TASKS = 3  # the spec: "3+ different hydration tasks in 7 days"


@dataclass(frozen=True, slots=True)
class RollupReport:
    since: date
    until: date
    outcome_rows: int
    plan_rows: int
    variety_rows: int
    holdout_rows: int = 0  # active user-days labelled with their holdout group


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_chunks(since: date, until: date) -> list[tuple[date, date]]:
    """since..until cut at calendar-week boundaries (Monday first), in order."""
    chunks = []
    start = since
    while start <= until:
        end = min(monday(start) + timedelta(days=6), until)
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks


def stretches_ending(since: date, until: date) -> list[tuple[date, date]]:
    """Every (first_day, last_day) with last_day in since..until and first_day in its week."""
    pairs = []
    day = since
    while day <= until:
        first = monday(day)
        while first <= day:
            pairs.append((first, day))
            first += timedelta(days=1)
        day += timedelta(days=1)
    return pairs


def check_range(since: date, until: date, today: date) -> None:
    if since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    if until >= today:
        raise ValueError(f"until ({until}) is not a closed day: it must be before {today}")


def rollup_days(since: date, until: date, today: date) -> RollupReport:
    """Recompute every rollup of the closed days since..until (until before `today`).

    Idempotent: the range's rows are deleted and inserted again in one transaction. Six
    statements a calendar week of the range, plus one on PostgreSQL (lock, planner); while
    a holdout runs, two more and the inserts of its active user-days (holdout_days.py).
    """
    check_range(since, until, today)
    counts = [0, 0, 0, 0]
    with transaction.atomic(), sql_rows.cursor() as cursor:
        _prepare(cursor)
        for start, end in week_chunks(since, until):
            counts[0] += _outcome_week(cursor, start, end, today)
            counts[1] += _plan_week(cursor, start, end)
            counts[2] += _variety_week(cursor, start, end)
            counts[3] += rollup_holdout_days(cursor, start, end, today)
        if until == today - timedelta(days=1):
            count_window_users(until)
    return RollupReport(since, until, *counts)


def nightly_rollup(plan_day: date) -> RollupReport:
    """The nightly run's share: the LOOKBACK_DAYS closed days before today.

    Today is the plan date or the local date, whichever comes first: cron plans tomorrow
    shortly after midnight, when only the days before the local today are over.
    """
    today = min(plan_day, timezone.localdate())
    return rollup_days(today - timedelta(days=LOOKBACK_DAYS), today - timedelta(days=1), today)


def _prepare(cursor) -> None:
    """PostgreSQL only, for this transaction: one run at a time, and index lookups.

    Two runs over the same days (a manual recompute during the nightly one) would both
    delete, then both insert: the second would break the unique keys (SQLite already runs
    one writer at a time). And the planner, left alone, joins the range's outcomes to
    their items, plans and feedback by hashing the whole tables (a sequential scan of
    10 million items for three days of them: 51 s on the benchmark database); with hash and
    merge joins off every join is a primary-key or unique-index lookup, so a run costs the
    rows of its days whatever the tables hold (23 s, no sequential scan; docs/performance.md).
    """
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s), set_config('enable_hashjoin', 'off', true), "
            "set_config('enable_mergejoin', 'off', true), set_config('work_mem', '64MB', true)",
            [_LOCK_KEY],
        )


_LOCK_KEY = 0x726F6C6C  # "roll": any constant our other advisory locks do not use


def _outcome_week(cursor, since: date, until: date, today: date) -> int:
    table = DailyOutcomeRollup._meta.db_table
    cursor.execute(f"DELETE FROM {table} WHERE day >= %s AND day <= %s", [since, until])
    sql = _OUTCOME_ROLLUP_SQL.format(
        outcomes=_outcomes_sql(None),
        item=PlanItem._meta.db_table,
        plan=Plan._meta.db_table,
        rollup=table,
        skip_columns=", ".join(f"skipped_{reason}" for reason in _REASONS),
        skip_sums=",\n       ".join(
            f"SUM(CASE WHEN state = 'skipped' AND skip_reason = '{reason}' THEN 1 ELSE 0 END)"
            for reason in _REASONS
        ),
        reasons=", ".join(f"'{reason}'" for reason in _REASONS),
    )
    cursor.execute(sql, [*_outcomes_params(None, since, today), until, since, until])
    return cursor.rowcount


def _plan_week(cursor, since: date, until: date) -> int:
    table = DailyPlanRollup._meta.db_table
    cursor.execute(f"DELETE FROM {table} WHERE day >= %s AND day <= %s", [since, until])
    sql = _PLAN_ROLLUP_SQL.format(
        rollup=table,
        plan=Plan._meta.db_table,
        item=PlanItem._meta.db_table,
        feedback=UserTaskFeedback._meta.db_table,
    )
    cursor.execute(sql, [since, until])
    return cursor.rowcount


def _variety_week(cursor, since: date, until: date) -> int:
    """The stretches ending since..until, all inside one calendar week."""
    table = HydrationVarietyRollup._meta.db_table
    cursor.execute(f"DELETE FROM {table} WHERE last_day >= %s AND last_day <= %s", [since, until])
    pairs = stretches_ending(since, until)
    sql = _VARIETY_SQL.format(
        stretches=", ".join(["(%s, %s)"] * len(pairs)),
        plan=Plan._meta.db_table,
        item=PlanItem._meta.db_table,
        rollup=table,
    )
    params = [day for pair in pairs for day in pair]
    cursor.execute(sql, [*params, monday(since), until, Category.HYDRATION, VARIETY_MIN_TASKS])
    return cursor.rowcount
