"""Benchmark 5: bytes per plan item, and partitioning a live database (issue 18, items 3, 4).

A database of its own (`<bench db>_migrating_bench` is the name minus _bench) is migrated
only up to the migrations before this work, filled with SQL (users x days x 15 items a
day, feedback on half of them, slot propensities as the planner writes them), then
migrated forward step by step: sizes are read before and after the index drops, and the
partitioning migration runs while a writer inserts one plan item and its feedback every
20 ms, so its longest wait is the lock the application actually felt.
"""

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import psycopg
from django.conf import settings
from django.db import connection

from .stats import percentile

# Every app but the two this work changes first: post_migrate handlers need their tables.
OTHER_APPS = ("auth", "contenttypes", "admin", "sessions", "axes", "rest_framework_api_key")
BEFORE = [
    *[(app, None) for app in (*OTHER_APPS, "core", "library", "profiles")],
    # Before the index drops: the compact slot log (routines 0004), the totals and the
    # rollups (feedback 0006, 0007) are in place.
    ("routines", "0004_plan_items_slot_log"),
    ("feedback", "0007"),
]
DROPS = [("routines", "0005"), ("feedback", "0008")]
PARTITION = [("feedback", "0009")]
_COPIED = (
    "user_id, scheduled_date, scheduled_time, end_time, title, description, category, "
    "priority, estimated_duration_minutes, time_of_day, variation_group, is_dynamic, plan_id, "
    "task_library_id, time_block_id, policy, propensity, slot_log"
)
_STEP = re.compile(r"partitioning (\S+): (.+) took ([\d.]+) s")

# Generated with SQL: plans, five time blocks each, 15 items a day, feedback on half.
_FILL = """
INSERT INTO plans (id, user_id, date, archetype, plan_type, model_used, readiness_mode,
                   wake_time, fallback_reason, created_at, updated_at)
SELECT md5('p' || u || '-' || d)::uuid, md5('u' || u)::uuid, %(start)s::date + d,
       'Foundation Builder', 'dynamic_routine', 'task_library_v1', 'medium', '06:00', '',
       now(), now()
  FROM generate_series(1, %(users)s) u, generate_series(0, %(days)s - 1) d;
INSERT INTO time_blocks (id, plan_id, position, block_name, start_time, end_time, zone_type,
                         purpose, time_of_day)
SELECT md5('b' || p.id || b)::uuid, p.id, b, 'Block ' || b, '06:00', '09:00', 'maintenance',
       'Start your day', 'morning'
  FROM plans p, generate_series(0, 4) b;
INSERT INTO plan_items (id, plan_id, time_block_id, position, user_id, scheduled_date,
    scheduled_time, end_time, title, description, category, priority,
    estimated_duration_minutes, time_of_day, task_library_id, variation_group, is_dynamic,
    policy, propensity, slot_log)
WITH t AS (SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM task_library),
     -- A 12-candidate compact slot log (routines/slot_log.py): 1 + 12 x 2 + 12 x 4 bytes.
     s AS (SELECT t.k, decode(repeat(lpad(to_hex(t.k %% 256), 2, '0'), 73), 'hex')
                  AS propensities FROM t)
SELECT md5('i' || p.id || n)::uuid, p.id, md5('b' || p.id || (n / 3))::uuid, n, p.user_id,
       p.date, '06:30', '06:35', t.name, t.description, t.category, 'medium',
       t.duration_minutes, 'morning', t.id, t.variation_group, true, 'adaptive', 0.4,
       s.propensities
  FROM plans p CROSS JOIN generate_series(0, 14) n
  JOIN t ON t.k = (n * 7) %% 60 JOIN s ON s.k = (n * 3) %% 40;
INSERT INTO user_task_feedback (id, user_id, task_library_id, plan_item_id, scheduled_date,
    scheduled_time, category, time_of_day, completed, completed_at, completed_early_minutes,
    satisfaction_rating, user_notes, skipped, skip_reason, mode_at_time, created_at,
    updated_at)
SELECT md5('f' || i.id)::uuid, i.user_id, i.task_library_id, i.id, i.scheduled_date,
       i.scheduled_time, i.category, i.time_of_day, true, now(), 0, 4, '', false, '',
       'medium', now(), now()
  FROM plan_items i WHERE i.position %% 2 = 0;
"""


@dataclass
class Result:
    items: int
    feedback: int
    bytes_before: dict  # table, indexes, total: bytes per plan item
    bytes_after: dict
    feedback_before: dict
    feedback_after: dict
    partitioned: dict  # plan items, every partition, after feedback 0009
    feedback_partitioned: dict
    drop_seconds: float
    partition_seconds: float
    steps: list[tuple[str, str, float]] = field(default_factory=list)
    writes: int = 0
    write_p50_ms: float = 0.0
    write_max_ms: float = 0.0
    write_errors: int = 0


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def _migrate(name: str, targets) -> str:
    env = {"DATABASE_URL": _url(name), "ENV_FILE": "/nonexistent", "LOG_FORMAT": "plain"}
    out = ""
    for app, migration in targets:
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", app, *([migration] if migration else [])],
            cwd=settings.BASE_DIR,
            env={**dict(os.environ), **env},
            capture_output=True,
            text=True,
            check=True,
        )
        out += done.stdout + done.stderr
    return out


def _sizes(conn, table: str, rows: int) -> dict:
    """Bytes per row of plan items: heap (with TOAST), indexes, total (every partition)."""
    # pg_partition_tree of a plain table is empty: then the table is its only leaf.
    heap, indexes = conn.execute(
        "SELECT sum(pg_table_size(relid)), sum(pg_indexes_size(relid)) FROM ("
        "SELECT relid FROM pg_partition_tree(%s) WHERE isleaf "
        "UNION SELECT %s::regclass WHERE NOT EXISTS "
        "(SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)) leaves",
        [table, table, table],
    ).fetchone()
    return {
        "table": heap / rows,
        "indexes": indexes / rows,
        "total": (heap + indexes) / rows,
    }


def _writer(name: str, stop: threading.Event, latencies: list, errors: list) -> None:
    with psycopg.connect(_url(name), autocommit=True) as conn:
        plan, user = conn.execute(
            "SELECT id, user_id FROM plans ORDER BY date DESC LIMIT 1"
        ).fetchone()
        n = 1000
        while not stop.is_set():
            n += 1
            started = time.perf_counter()
            try:
                with conn.transaction():
                    item = conn.execute(
                        f"INSERT INTO plan_items (id, position, {_COPIED}) "
                        f"SELECT gen_random_uuid(), position + %s, {_COPIED} FROM plan_items"
                        " WHERE plan_id = %s AND position = 0 RETURNING id, scheduled_date",
                        [n, plan],
                    ).fetchone()
                    conn.execute(
                        "INSERT INTO user_task_feedback (id, user_id, plan_item_id,"
                        " scheduled_date, category, time_of_day, completed, user_notes,"
                        " skipped, skip_reason, mode_at_time, created_at, updated_at)"
                        " VALUES (gen_random_uuid(), %s, %s, %s, 'hydration', 'morning', true,"
                        " '', false, '', 'medium', now(), now())",
                        [user, item[0], item[1]],
                    )
                latencies.append((time.perf_counter() - started) * 1000)
            except psycopg.Error as exc:
                errors.append(str(exc))
            time.sleep(0.02)


def _fill(name: str, users: int, days: int) -> None:
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    _migrate(name, BEFORE)
    subprocess.run(
        [sys.executable, "manage.py", "seed_library"],
        cwd=settings.BASE_DIR,
        env={**dict(os.environ), "DATABASE_URL": _url(name), "ENV_FILE": "/nonexistent"},
        capture_output=True,
        check=True,
    )
    with psycopg.connect(_url(name), autocommit=True) as conn:
        for statement in _FILL.split(";\n"):
            if statement.strip():
                conn.execute(
                    statement,
                    {"start": date(2026, 9, 1), "users": users, "days": days},
                )
        conn.execute("VACUUM ANALYZE")


def run(users: int = 2000, days: int = 67) -> Result:
    """users x days x 15 items (2000 x 67 = 2.0 M items, 1.0 M feedback rows)."""
    base = connection.settings_dict["NAME"]
    name = f"{base.removesuffix('_bench')}_migrating_bench"
    # STORAGE_BENCH_REUSE=1: keep a database already filled by an earlier run (filling
    # takes minutes); it must still be at the migrations before this work.
    if os.environ.get("STORAGE_BENCH_REUSE") != "1":
        _fill(name, users, days)
    with psycopg.connect(_url(name), autocommit=True) as conn:
        items = conn.execute("SELECT count(*) FROM plan_items").fetchone()[0]
        feedback = conn.execute("SELECT count(*) FROM user_task_feedback").fetchone()[0]
        before = _sizes(conn, "plan_items", items)
        feedback_before = _sizes(conn, "user_task_feedback", feedback)
    started = time.perf_counter()
    _migrate(name, DROPS)
    drop_seconds = time.perf_counter() - started
    with psycopg.connect(_url(name), autocommit=True) as conn:
        after = _sizes(conn, "plan_items", items)
        feedback_after = _sizes(conn, "user_task_feedback", feedback)

    stop, latencies, errors = threading.Event(), [], []
    writer = threading.Thread(target=_writer, args=(name, stop, latencies, errors))
    writer.start()
    time.sleep(1.0)
    started = time.perf_counter()
    out = _migrate(name, PARTITION)
    partition_seconds = time.perf_counter() - started
    time.sleep(1.0)
    stop.set()
    writer.join()
    steps = [(t, what, float(s)) for t, what, s in _STEP.findall(out)]
    with psycopg.connect(_url(name), autocommit=True) as conn:
        partitioned = _sizes(conn, "plan_items", items + len(latencies))
        feedback_partitioned = _sizes(conn, "user_task_feedback", feedback + len(latencies))
    return Result(
        items,
        feedback,
        before,
        after,
        feedback_before,
        feedback_after,
        partitioned,
        feedback_partitioned,
        drop_seconds,
        partition_seconds,
        steps,
        len(latencies),
        percentile(latencies, 50) if latencies else 0.0,
        max(latencies) if latencies else 0.0,
        len(errors),
    )


def report(r: Result) -> str:
    def row(label: str, sizes: dict) -> str:
        return f"| {label} | {sizes['table']:.0f} | {sizes['indexes']:.0f} | {sizes['total']:.0f} |"

    lines = [
        f"A database of {r.items:,} plan items and {r.feedback:,} feedback rows generated "
        "with SQL (15 items a day, slot propensities of 12 candidates as the planner "
        "writes them); `pg_table_size` (heap and TOAST) and `pg_indexes_size` over every "
        "partition, divided by the rows.",
        "",
        "| bytes per row | table | indexes | total |",
        "|---|---|---|---|",
        row("plan item, before the index drops", r.bytes_before),
        row("plan item, after (routines 0005)", r.bytes_after),
        row("plan item, partitioned (feedback 0009)", r.partitioned),
        row("feedback, before", r.feedback_before),
        row("feedback, after (feedback 0008)", r.feedback_after),
        row("feedback, partitioned (feedback 0009)", r.feedback_partitioned),
        "",
        f"Dropping the indexes: {r.drop_seconds:.1f} s (both migrations, short locks only).",
        "",
        f"Partitioning (feedback 0009) took {r.partition_seconds:.1f} s in all, while a writer "
        f"inserted a plan item and its feedback every 20 ms: {r.writes} writes, p50 "
        f"{r.write_p50_ms:.1f} ms, longest {r.write_max_ms:.0f} ms, {r.write_errors} errors.",
        "",
        "| table | step | seconds |",
        "|---|---|---|",
        *[f"| {table} | {what} | {seconds:.2f} |" for table, what, seconds in r.steps],
    ]
    return "\n".join(lines)
