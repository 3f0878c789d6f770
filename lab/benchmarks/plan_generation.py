"""Benchmark 1: plan generation latency and queries against libraries of 60 to 6,000 tasks.

Floor: the same reads and writes one plan needs, issued with psycopg directly (no ORM, no
planning), measured in the same run.
"""

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import UserTaskFeedback
from feedback.services import Outcome, record_outcomes
from library.models import Task
from profiles.models import UserPreferenceProfile
from routines import slot_log
from routines.models import Plan, TaskRotationState
from routines.services import generate_plan

from .stats import median, percentile, verdict

START = date(2027, 1, 4)
FLOOR_DATE_OFFSET = timedelta(days=3650)
SHIPPED_LIBRARY_SIZE = 138
TARGET_RATIO = 3.0
TARGET_P95_MS = 25.0
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "task_library.json"


@dataclass
class PlanResult:
    library: int
    history_days: int
    samples: int
    p50_ms: float
    p95_ms: float
    queries: int
    floor_p50_ms: float

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_p50_ms if self.floor_p50_ms else 0.0


def reset_data() -> None:
    for model in (UserTaskFeedback, Plan, TaskRotationState, UserPreferenceProfile, Task):
        model.objects.all().delete()


def build_library(size: int) -> None:
    """`size` active tasks cloned from the shipped ones, groups kept at three variants."""
    rows = [row["fields"] for row in json.loads(FIXTURE.read_text())]
    tasks = []
    for index in range(size):
        base = rows[index % len(rows)]
        copy = index // len(rows)
        fields = {k: v for k, v in base.items() if k not in ("created_at", "updated_at")}
        fields["name"] = f"{base['name']} #{copy}" if copy else base["name"]
        fields["variation_group"] = f"{base['variation_group']}__{copy}"
        fields["number"] = index + 1
        tasks.append(Task(**fields))
    Task.objects.bulk_create(tasks, batch_size=1000)


def build_history(users: list[uuid.UUID], days: int) -> None:
    """`days` days of plans and outcomes for each user, through the real services."""
    for user in users:
        UserPreferenceProfile.objects.create(user_id=user, archetype="Peak Performer")
        for offset in range(days):
            day = START - timedelta(days=days - offset)
            stored = generate_plan(user, "Peak Performer", day)
            outcomes = [
                Outcome(item.id, (hash((user, item.task_library_id)) % 5) < 3)
                for item in stored.items
            ]
            record_outcomes(user, outcomes, now=datetime.combine(day, clock_time(21), UTC))


# What the engine logs for a full slot: 16 candidates (routines/slot_log.py), 97 bytes.
FLOOR_SLOT_LOG = slot_log.encode((n, 1 / 16) for n in range(1, 17))


def floor_once(user: uuid.UUID, day: date) -> float:
    """The SQL one plan needs, straight through psycopg: 4 reads, 4 writes, one commit.

    It reads the measured user's own rows (so history costs the floor what it costs the
    engine) and writes its plan on a date far ahead, out of every rotation window.
    """
    connection.ensure_connection()
    raw = connection.connection
    started = time.perf_counter()
    with raw.transaction(), raw.cursor() as cur:
        cur.execute("SELECT id FROM plans WHERE user_id = %s AND date = %s LIMIT 1", (user, day))
        cur.fetchall()
        cur.execute("SELECT * FROM user_preference_profile WHERE user_id = %s", (user,))
        cur.fetchall()
        cur.execute(
            "SELECT id, category, subcategory, name, description, duration_minutes, difficulty,"
            " variation_group, time_of_day_preference, archetype_fit, mode_fit"
            " FROM task_library WHERE is_active"
        )
        tasks = cur.fetchall()
        cur.execute(
            "SELECT pi.task_library_id, MAX(p.date) FROM plan_items pi JOIN plans p"
            " ON p.id = pi.plan_id WHERE pi.user_id = %s AND p.date >= %s AND p.date < %s"
            " AND pi.task_library_id IS NOT NULL GROUP BY pi.task_library_id",
            (user, day - timedelta(days=6), day),
        )
        cur.fetchall()
        plan_id = uuid.uuid4()
        now = datetime.now(UTC)
        cur.execute(
            "INSERT INTO plans (id, user_id, date, archetype, plan_type, model_used,"
            " readiness_mode, wake_time, fallback_reason, created_at, updated_at)"
            " VALUES (%s,%s,%s,'Peak Performer','dynamic_routine','task_library_v1','medium',"
            " '06:00','',%s,%s)",
            (plan_id, user, day + FLOOR_DATE_OFFSET, now, now),
        )
        blocks = [(uuid.uuid4(), plan_id, i) for i in range(5)]
        cur.executemany(
            "INSERT INTO time_blocks (id, plan_id, position, block_name, start_time, end_time,"
            " zone_type, purpose, time_of_day) VALUES (%s,%s,%s,'Block','06:00','09:00',"
            " 'peak','purpose','morning')",
            blocks,
        )
        items = [
            (
                uuid.uuid4(),
                plan_id,
                blocks[i // 3][0],
                i,
                user,
                day + FLOOR_DATE_OFFSET,
                tasks[i][0],
                FLOOR_SLOT_LOG,
            )
            for i in range(15)
        ]
        cur.executemany(
            "INSERT INTO plan_items (id, plan_id, time_block_id, position, user_id,"
            " scheduled_date, scheduled_time, end_time, title, description, category,"
            " priority, estimated_duration_minutes, time_of_day, task_library_id,"
            " variation_group, is_dynamic, policy, propensity, slot_log)"
            " VALUES (%s,%s,%s,%s,%s,%s,'06:30','06:35','t','d','hydration','high',5,"
            " 'morning',%s,'g',true,'static-v1',0.5,%s)",
            items,
        )
        cur.execute(
            "INSERT INTO task_rotation_state (id, user_id, variation_group, last_used_date,"
            " task_library_id, times_used, created_at, updated_at)"
            " SELECT gen_random_uuid(), %s, 'g' || g, %s, %s, 1, now(), now()"
            " FROM generate_series(1, 15) g"
            " ON CONFLICT (user_id, variation_group) DO UPDATE"
            " SET times_used = task_rotation_state.times_used + 1",
            (user, day + FLOOR_DATE_OFFSET, tasks[0][0]),
        )
    return time.perf_counter() - started


def measure(library: int, history_days: int, users: int, days_measured: int) -> PlanResult:
    reset_data()
    build_library(library)
    people = [uuid.uuid4() for _ in range(users)]
    if history_days:
        build_history(people, history_days)
    timings, queries, floors = [], [], []
    for offset in range(days_measured):
        day = START + timedelta(days=offset)
        for user in people if history_days else [uuid.uuid4() for _ in range(users)]:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                generate_plan(user, "Peak Performer", day)
                timings.append(time.perf_counter() - started)
            queries.append(len(ctx.captured_queries))
            floors.append(floor_once(user, day))
    return PlanResult(
        library=library,
        history_days=history_days,
        samples=len(timings),
        p50_ms=median(timings) * 1000,
        p95_ms=percentile(timings, 95) * 1000,
        queries=round(median(queries)),
        floor_p50_ms=median(floors) * 1000,
    )


def run(sizes=(60, SHIPPED_LIBRARY_SIZE, 600, 6000), history=(0, 60), users=10, days_measured=5):
    results = []
    for size in sizes:
        for days in history:
            results.append(measure(size, days, users, days_measured))
    return results


def report(results: list[PlanResult]) -> str:
    lines = [
        "| library | history | plans | p50 | p95 | queries/plan | floor p50 | p50 / floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.library} tasks | {r.history_days} days | {r.samples} | {r.p50_ms:.1f} ms |"
            f" {r.p95_ms:.1f} ms | {r.queries} | {r.floor_p50_ms:.1f} ms | {r.ratio:.1f}x |"
        )
    worst = max(results, key=lambda r: r.ratio)
    shipped = [r for r in results if r.library == SHIPPED_LIBRARY_SIZE]
    queries = sorted({r.queries for r in results})
    lines += [
        "",
        f"Target <= {TARGET_RATIO:.0f}x the floor: worst {worst.ratio:.1f}x "
        f"({worst.library} tasks, {worst.history_days} days), "
        f"{verdict(worst.ratio <= TARGET_RATIO)}.",
    ]
    if shipped:
        p95 = max(r.p95_ms for r in shipped)
        lines.append(
            f"Target p95 <= {TARGET_P95_MS:.0f} ms with the shipped library: {p95:.1f} ms, "
            f"{verdict(p95 <= TARGET_P95_MS)}."
        )
    lines.append(f"Queries per plan across library sizes: {', '.join(map(str, queries))}.")
    return "\n".join(lines)
