"""Benchmark: the dashboard's holdout lift on big holdout tables.

`holdout_user_days` is filled directly with SQL (generate_series): `users` users, 90 days
each, four days in five active, 5-10 outcomes a day, 10% of users held out; its sums per
day, group and bucket (`holdout_bucket_days`) with one INSERT .. SELECT, as
`feedback.holdout_days.bucket_sums` sums them. Then twice as many users, so the same run
shows what grows. Timed: the nightly count of the windows' distinct users
(`count_window_users`), and `feedback.lift.dashboard_lift` (the 7, 28 and 90-day windows
and the weekly trend, with their bootstraps) as the dashboard page calls it.
"""

import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import connection

from feedback.holdout_days import count_window_users
from feedback.lift import RESAMPLES, dashboard_lift
from feedback.models import HoldoutBucketDay, HoldoutUserDay, HoldoutWindowUsers
from routines.holdout import BUCKETS

FIRST_DAY = date(2027, 1, 4)
DAYS = 90
TARGET_MS = 1000
USER_CHUNK = 2000

_HELPER = """
CREATE OR REPLACE FUNCTION pg_temp.hid(kind integer, n bigint) RETURNS uuid AS $$
  SELECT (lpad(to_hex(kind), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid
$$ LANGUAGE sql IMMUTABLE
"""

# A user's group and bucket from two unrelated multiplicative hashes of their number; the
# treatment group completes a little more (about +10% relative).
_ROWS = """
INSERT INTO {table} (user_id, day, "group", bucket, outcomes, completed)
SELECT pg_temp.hid(0, u), %(first)s::date + d,
       CASE WHEN (u * 2654435761) %% 1000 < 100 THEN 'holdout' ELSE 'treatment' END,
       (u * 40503) %% {buckets}, 5 + (u + d) %% 6,
       LEAST(5 + (u + d) %% 6, (u * 7 + d * 3) %% 5
             + CASE WHEN (u * 2654435761) %% 1000 < 100 THEN 0 ELSE (u + d) %% 2 END)
  FROM generate_series(%(lo)s, %(hi)s) u, generate_series(0, %(days)s - 1) d
 WHERE (u * 3 + d) %% 5 <> 0
"""


_BUCKETS = """
INSERT INTO {buckets} (day, "group", bucket, user_days, outcomes, completed)
SELECT day, "group", bucket, COUNT(*), SUM(outcomes), SUM(completed)
  FROM {days} GROUP BY day, "group", bucket
"""


@dataclass
class LiftBench:
    users: int
    rows: int
    bucket_rows: int
    fill_seconds: float
    window_users_seconds: float
    read_ms: float
    runs: int


def generate(first_user: int, users: int) -> float:
    started = time.perf_counter()
    table = HoldoutUserDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
        # Filling outlasts the API's statement timeout; the timed read keeps it.
        cursor.execute("SET statement_timeout = 0")
        cursor.execute(_HELPER)
        for lo in range(first_user, first_user + users, USER_CHUNK):
            hi = min(lo + USER_CHUNK, first_user + users) - 1
            cursor.execute(
                _ROWS.format(table=table, buckets=BUCKETS),
                {"first": FIRST_DAY, "lo": lo, "hi": hi, "days": DAYS},
            )
        buckets = HoldoutBucketDay._meta.db_table
        cursor.execute(f"TRUNCATE {buckets}")
        cursor.execute(_BUCKETS.format(buckets=buckets, days=table))
        cursor.execute("SET synchronous_commit TO on")
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"VACUUM ANALYZE {buckets}")
        cursor.execute(f"SET statement_timeout = {settings.DATABASE_STATEMENT_TIMEOUT_MS}")
    return time.perf_counter() - started


def measure(users: int, fill: float, runs: int = 9) -> LiftBench:
    today = FIRST_DAY + timedelta(days=DAYS)
    started = time.perf_counter()
    count_window_users(today - timedelta(days=1))
    counted = time.perf_counter() - started
    dashboard_lift(today)  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        dashboard_lift(today)
        times.append(time.perf_counter() - started)
    rows, buckets = HoldoutUserDay.objects.count(), HoldoutBucketDay.objects.count()
    return LiftBench(users, rows, buckets, fill, counted, statistics.median(times) * 1000, runs)


def run(users: int = 11112, log=print) -> list[LiftBench]:
    # count_window_users writes only while a holdout runs.
    settings.HOLDOUT_SHARE, settings.HOLDOUT_SALT = 0.1, "bench"
    with connection.cursor() as cursor:
        for model in (HoldoutUserDay, HoldoutBucketDay, HoldoutWindowUsers):
            cursor.execute(f"TRUNCATE {model._meta.db_table}")
    results = []
    for step in range(2):
        log(f"holdout_user_days: {users} more users x {DAYS} days ...")
        fill = generate(step * users, users)
        results.append(measure((step + 1) * users, fill))
        log(f"  {results[-1]}")
    return results


def report(results: list[LiftBench]) -> str:
    lines = [
        "| users | holdout_user_days rows (90 days) | holdout_bucket_days rows | fill (SQL) "
        "| nightly: windows' distinct users | dashboard lift read |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.users:,} | {r.rows:,} | {r.bucket_rows:,} | {r.fill_seconds:.1f} s "
            f"| {r.window_users_seconds:.1f} s | {r.read_ms:,.0f} ms |"
        )
    largest = results[-1]
    met = "met" if largest.read_ms < TARGET_MS else "MISSED"
    lines += [
        "",
        f"Read = `feedback.lift.dashboard_lift`: the 7, 28 and 90-day windows (the bucket "
        f"sums and the stored users of each, then {BUCKETS}-bucket bootstraps of "
        f"{RESAMPLES:,} resamples) and the weekly trend; median of {largest.runs} runs. "
        f"Target under {TARGET_MS} ms at {largest.rows:,} user-days: "
        f"{largest.read_ms:,.0f} ms, {met}.",
    ]
    return "\n".join(lines)
