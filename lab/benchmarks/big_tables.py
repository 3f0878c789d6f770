"""Benchmark: the admin dashboard on big tables, live queries against the daily rollups.

The database is generated with SQL (generate_series), not through the services: millions of
plan items in minutes. Every user has a plan every day of the history (five blocks of three
items, tasks cycling through the library), a fifth of the user-days are silent
(unexposed), and on the others about five items in eight get feedback: a completion, or a
skip with one of the reasons, sometimes a star rating. Slot propensities are left NULL:
they make rows bigger, not the dashboard's work different (issue 18 part 3 shrinks them).

The tables are filled in two steps, so the same run shows the dashboard at a size and at
twice that size: the live queries scan the window's items through the plans join and grow
with them; the rollup read costs days x groups, whatever the items.
"""

import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection

from feedback.dashboard import live_success_metrics, success_metrics
from feedback.models import DailyOutcomeRollup, UserTaskFeedback
from feedback.rollups import LOOKBACK_DAYS, rollup_days
from library.choices import ARCHETYPES
from routines.models import Plan, PlanItem, TimeBlock

from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library
from .stats import verdict

FIRST_DAY = date(2027, 1, 4)
HISTORY_DAYS = 60
ITEMS_PER_PLAN = 15
TARGET_MS = 500
USER_CHUNK = 500
# The dashboard page computes both windows.
WINDOWS = (7, 28)


@dataclass
class BigResult:
    items: int
    feedback: int
    rollup_rows: int
    build_seconds: float  # rollup_days over the whole history
    nightly_seconds: float  # the nightly run's lookback
    live_ms: float
    rolled_ms: float
    runs_live: int
    runs_rolled: int
    same: bool


_HELPER = """
CREATE OR REPLACE FUNCTION pg_temp.hid(kind integer, n bigint) RETURNS uuid AS $$
  SELECT (lpad(to_hex(kind), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid
$$ LANGUAGE sql IMMUTABLE
"""

# Ids are sequential (kind, user * 4096 + day), so the primary keys append.
_PLANS = """
INSERT INTO {plan} (id, user_id, date, archetype, plan_type, model_used, readiness_mode,
                    wake_time, fallback_reason, created_at, updated_at)
SELECT pg_temp.hid(1, u * 4096 + d), pg_temp.hid(0, u), %(first)s::date + d,
       (%(archetypes)s::text[])[1 + u %% %(n_archetypes)s],
       CASE WHEN (u * 31 + d * 17) %% 50 = 0 THEN 'static_routine' ELSE 'dynamic_routine' END,
       'task_library_v1', (ARRAY['low', 'medium', 'high'])[1 + (u + d) %% 3], '06:00', '',
       now(), now()
  FROM generate_series(%(lo)s, %(hi)s) u, generate_series(0, %(days)s - 1) d
"""

_BLOCKS = """
INSERT INTO {block} (id, plan_id, position, block_name, start_time, end_time, zone_type,
                     purpose, time_of_day)
SELECT pg_temp.hid(512 + k, u * 4096 + d), pg_temp.hid(1, u * 4096 + d), k, 'Block ' || k,
       make_time(6 + 3 * k, 0, 0), make_time(8 + 3 * k, 0, 0), 'maintenance', 'bench',
       (ARRAY['morning', 'morning', 'afternoon', 'evening', 'evening'])[k + 1]
  FROM generate_series(%(lo)s, %(hi)s) u, generate_series(0, %(days)s - 1) d,
       generate_series(0, 4) k
"""

_SLOTS = """
WITH t AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, category, variation_group
             FROM {task}),
g AS (SELECT u, d, s, (u * 7 + d * 13 + s * 29) %% (SELECT count(*) FROM t) AS k
        FROM generate_series(%(lo)s, %(hi)s) u, generate_series(0, %(days)s - 1) d,
             generate_series(0, {last_slot}) s)
"""

_ITEMS = (
    _SLOTS
    + """
INSERT INTO {item} (id, plan_id, time_block_id, position, user_id, scheduled_date,
                    scheduled_time, end_time, title, description, category, priority,
                    estimated_duration_minutes, time_of_day, task_library_id, variation_group,
                    is_dynamic, policy, propensity, slot_log)
SELECT pg_temp.hid(768 + s, u * 4096 + d), pg_temp.hid(1, u * 4096 + d),
       pg_temp.hid(512 + s / 3, u * 4096 + d), s, pg_temp.hid(0, u), %(first)s::date + d,
       make_time(6 + s, 0, 0), make_time(6 + s, 5, 0), 'Bench task', '', t.category, 'medium',
       5, (ARRAY['morning', 'morning', 'afternoon', 'evening', 'evening'])[s / 3 + 1], t.id,
       t.variation_group, true, CASE WHEN u %% 2 = 0 THEN 'adaptive' ELSE 'static' END, 0.5,
       NULL
  FROM g JOIN t USING (k)
"""
)

_FEEDBACK = (
    _SLOTS
    + """
INSERT INTO {feedback} (id, user_id, task_library_id, plan_item_id, scheduled_date,
                        scheduled_time, category, time_of_day, completed, completed_at,
                        completed_early_minutes, satisfaction_rating, user_notes, skipped,
                        skip_reason, mode_at_time, created_at, updated_at)
SELECT pg_temp.hid(1024 + s, u * 4096 + d), pg_temp.hid(0, u), t.id,
       pg_temp.hid(768 + s, u * 4096 + d), %(first)s::date + d, make_time(6 + s, 0, 0),
       t.category, (ARRAY['morning', 'morning', 'afternoon', 'evening', 'evening'])[s / 3 + 1],
       (u + d + s) %% 3 <> 0, NULL, NULL,
       CASE WHEN (u + s + d) %% 4 = 0 THEN 1 + (u + d + s) %% 5 END, '',
       (u + d + s) %% 3 = 0,
       CASE WHEN (u + d + s) %% 3 = 0 THEN (ARRAY['too_hard', 'no_time', 'not_interested',
            'forgot', ''])[1 + (u + d * s) %% 5] ELSE '' END,
       (ARRAY['low', 'medium', 'high'])[1 + (u + d) %% 3], now(), now()
  FROM g JOIN t USING (k)
 WHERE (u * 3 + d) %% 5 <> 0 AND (u * 11 + d * 7 + s * 5) %% 8 < 5
"""
)


def _tables() -> dict:
    return {
        "plan": Plan._meta.db_table,
        "block": TimeBlock._meta.db_table,
        "item": PlanItem._meta.db_table,
        "feedback": UserTaskFeedback._meta.db_table,
        "task": "task_library",
        "last_slot": ITEMS_PER_PLAN - 1,
    }


# Indexes that back no constraint: dropped while the rows go in and built again after, as a
# bulk load would (inserting into a dozen random-order B-trees slowed each chunk down as
# the tables grew: 33, 42, 52 s for the first three chunks of 500 users).
_SECONDARY_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
 WHERE tablename IN (%s, %s, %s, %s)
   AND indexname NOT IN (SELECT conname FROM pg_constraint)
"""


def generate(first_user: int, users: int, days: int, log=print) -> None:
    """Plans, blocks, items and feedback for users first_user.. (+users), `days` each."""
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        # Foreign keys are right by construction; replica mode skips their per-row triggers.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(_HELPER)
        cursor.execute(
            _SECONDARY_INDEXES, [tables[t] for t in ("plan", "block", "item", "feedback")]
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        for lo in range(first_user, first_user + users, USER_CHUNK):
            hi = min(lo + USER_CHUNK, first_user + users) - 1
            params = {
                "lo": lo,
                "hi": hi,
                "days": days,
                "first": FIRST_DAY,
                "archetypes": list(ARCHETYPES),
                "n_archetypes": len(ARCHETYPES),
            }
            started = time.perf_counter()
            for sql in (_PLANS, _BLOCKS, _ITEMS, _FEEDBACK):
                cursor.execute(sql.format(**tables), params)
            log(f"  users {lo}..{hi}: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        log(f"  {len(indexes)} indexes built again: {time.perf_counter() - started:.1f} s")
        cursor.execute("SET session_replication_role = origin")
        cursor.execute("SET synchronous_commit TO on")
        for table in ("plan", "block", "item", "feedback"):
            cursor.execute(f"VACUUM ANALYZE {tables[table]}")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _dashboard(reader, today: date) -> list:
    return [reader(days, today) for days in WINDOWS]


def measure(today: date, runs_live: int, runs_rolled: int) -> BigResult:
    build = _timed(lambda: rollup_days(FIRST_DAY, today - timedelta(days=1), today))
    lookback = today - timedelta(days=LOOKBACK_DAYS)
    nightly = _timed(lambda: rollup_days(lookback, today - timedelta(days=1), today))
    # Alternate the two readers, so both see the same machine (and warm caches alike).
    live, rolled = [], []
    for run in range(max(runs_live, runs_rolled)):
        if run < runs_live:
            live.append(_timed(lambda: _dashboard(live_success_metrics, today)))
        if run < runs_rolled:
            rolled.append(_timed(lambda: _dashboard(success_metrics, today)))
    same = _dashboard(live_success_metrics, today) == _dashboard(success_metrics, today)
    return BigResult(
        items=PlanItem.objects.count(),
        feedback=UserTaskFeedback.objects.count(),
        rollup_rows=DailyOutcomeRollup.objects.count(),
        build_seconds=build,
        nightly_seconds=nightly,
        live_ms=statistics.median(live) * 1000,
        rolled_ms=statistics.median(rolled) * 1000,
        runs_live=runs_live,
        runs_rolled=runs_rolled,
        same=same,
    )


def run(users: int = 5000, days: int = HISTORY_DAYS, log=print) -> list[BigResult]:
    """Two sizes in one run: `users` users, then twice as many, `days` days each."""
    with connection.cursor() as cursor:
        # The live dashboard outlasts the API's statement timeout at this size.
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(
            "TRUNCATE user_task_feedback, plan_items, time_blocks, plans, task_library, "
            "daily_outcome_rollups, daily_plan_rollups, hydration_variety_rollups CASCADE"
        )
    build_library(SHIPPED_LIBRARY_SIZE)
    # Closed days only: the day after the history is "today", as on the dashboard.
    today = FIRST_DAY + timedelta(days=days)
    results = []
    for step in range(2):
        log(f"generating {users} users x {days} days ...")
        generate(step * users, users, days, log)
        results.append(measure(today, runs_live=3, runs_rolled=9))
        log(f"  {results[-1]}")
    return results


def report(results: list[BigResult]) -> str:
    lines = [
        "| plan items | feedback rows | rollup rows | build rollups (all days) "
        "| nightly lookback | dashboard, live queries | dashboard, rollups | live / rollups "
        "| same figures |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.items:,} | {r.feedback:,} | {r.rollup_rows:,} | {r.build_seconds:.1f} s "
            f"| {r.nightly_seconds:.2f} s | {r.live_ms:,.0f} ms | {r.rolled_ms:.1f} ms "
            f"| {r.live_ms / r.rolled_ms:,.0f}x | {'yes' if r.same else 'NO'} |"
        )
    largest = results[-1]
    lines += [
        "",
        f"Dashboard = both windows ({' and '.join(str(w) for w in WINDOWS)} days) as the "
        f"admin page computes them; medians of {largest.runs_live} live and "
        f"{largest.runs_rolled} rollup runs, alternated. Target under {TARGET_MS} ms at "
        f"{largest.items:,} items: {largest.rolled_ms:.1f} ms, "
        f"{verdict(largest.rolled_ms < TARGET_MS)}.",
    ]
    return "\n".join(lines)
