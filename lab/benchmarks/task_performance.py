"""Benchmark: the task performance page against a year of daily rollups.

The rollup table is filled with SQL (generate_series): every day of `days`, every active
task of the library, for each archetype and mode, one row with small random counts; that
is more groups a day than a real history has (a task is rarely planned for every
archetype and mode each day). The page's read is then timed for 7, 28 and 90 days, per task
and per variation group: its cost is the window's rows, not the year before them.

    DATABASE_URL=postgres://…/<a database of your own> manage.py migrate
    DATABASE_URL=… manage.py seed_library
    DATABASE_URL=… manage.py shell -c \
      "from lab.benchmarks.task_performance import main; main()"
"""

import statistics
import time
from datetime import date, timedelta

from django.db import connection

from feedback.models import DailyOutcomeRollup
from feedback.task_performance import PerformanceQuery, View, task_performance
from library.choices import ARCHETYPES, MODES
from library.models import Task

TODAY = date(2027, 6, 1)

_FILL = """
INSERT INTO daily_outcome_rollups (day, category, task_library_id, variation_group, policy,
       archetype, readiness_mode, planned, completed, skipped_too_hard, skipped_no_time,
       skipped_not_interested, skipped_forgot, skipped_other, unanswered, rating_count,
       rating_sum)
SELECT d::date, t.category, t.id, t.variation_group, 'adaptive-v3', a, m,
       20, 8, 1, 2, 1, 1, 1, 4, 3, 11
  FROM generate_series(%s::date, %s::date, interval '1 day') d
 CROSS JOIN task_library t
 CROSS JOIN unnest(%s::text[]) a
 CROSS JOIN unnest(%s::text[]) m
 WHERE t.is_active
"""


def fill(days: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")  # the fill outlasts the API's timeout
        cursor.execute("TRUNCATE daily_outcome_rollups")
        first = TODAY - timedelta(days=days)
        cursor.execute(_FILL, [first, TODAY - timedelta(days=1), list(ARCHETYPES), list(MODES)])
        cursor.execute("VACUUM ANALYZE daily_outcome_rollups")
    return DailyOutcomeRollup.objects.count()


def timed_ms(query: PerformanceQuery, runs: int = 7) -> float:
    task_performance(query)  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        task_performance(query)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(days: int = 365) -> None:
    rows = fill(days)
    print(f"{Task.objects.filter(is_active=True).count()} active tasks, {rows:,} rollup rows")
    print("| window | rows read | per task | per variation group | one archetype, per task |")
    print("|---|---|---|---|---|")
    for window in (7, 28, 90):
        since, until = TODAY - timedelta(days=window), TODAY - timedelta(days=1)
        read = DailyOutcomeRollup.objects.filter(day__gte=since, day__lte=until).count()
        base = PerformanceQuery(since=since, until=until)
        cells = [
            timed_ms(base),
            timed_ms(PerformanceQuery(since=since, until=until, view=View.GROUP)),
            timed_ms(PerformanceQuery(since=since, until=until, archetype=ARCHETYPES[0])),
        ]
        print(f"| {window} days | {read:,} | " + " | ".join(f"{c:.0f} ms" for c in cells) + " |")
