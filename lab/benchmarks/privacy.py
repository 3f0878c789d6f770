"""Benchmark 5: a user's export and erasure, for three months and for two years of history.

History is one real plan (generate_plan) copied day after day with bulk inserts, three
items in five completed or skipped with feedback, among other users' rows (so the table
is not the user's alone). The floor of the export is the naive read: every plan, block,
item and feedback row of the user fetched at once with psycopg and dumped as one JSON
string, measured in the same run; it shows what streaming saves in memory.
"""

import json
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import UserTaskFeedback
from privacy.export import export_chunks
from privacy.services import erase_user, erasure_preview
from profiles.models import UserPreferenceProfile
from routines.models import Plan, PlanItem, TimeBlock
from routines.services import generate_plan

from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library, reset_data
from .stats import median

START = date(2025, 1, 1)
SIZES = (90, 730)
USERS_PER_SIZE = 3
BACKGROUND_USERS = 100
BACKGROUND_DAYS = 90
REPEATS = 3


@dataclass
class PrivacyResult:
    days: int
    items: int
    feedback: int
    export_ms: float
    export_queries: int
    export_mb: float  # the document's size
    export_peak_mb: float
    floor_ms: float
    floor_peak_mb: float
    preview_ms: float
    erase_ms: float


def copy_history(user: uuid.UUID, days: int) -> None:
    """`days` days of the template plan for `user`, with feedback, in bulk."""
    UserPreferenceProfile.objects.create(user_id=user, archetype="Peak Performer")
    template = generate_plan(user, "Peak Performer", START - timedelta(days=1))
    plans, blocks, items, feedback = [], [], [], []
    for offset in range(days):
        day = START + timedelta(days=offset)
        plan = Plan(**_fields(template.plan, id=uuid.uuid4(), date=day))
        plans.append(plan)
        block_ids = {}
        for block in template.blocks:
            copy = TimeBlock(**_fields(block, id=uuid.uuid4(), plan_id=plan.id))
            block_ids[block.id] = copy.id
            blocks.append(copy)
        for item in template.items:
            copy = PlanItem(
                **_fields(
                    item,
                    id=uuid.uuid4(),
                    plan_id=plan.id,
                    time_block_id=block_ids[item.time_block_id],
                    scheduled_date=day,
                )
            )
            items.append(copy)
            if item.position % 5 < 3:
                done = item.position % 5 < 2
                feedback.append(
                    UserTaskFeedback(
                        user_id=user,
                        plan_item_id=copy.id,
                        task_library_id=copy.task_library_id,
                        scheduled_date=day,
                        scheduled_time=copy.scheduled_time,
                        category=copy.category,
                        time_of_day=copy.time_of_day,
                        completed=done,
                        skipped=not done,
                        user_notes="felt good" if done else "",
                    )
                )
    for model, rows in ((Plan, plans), (TimeBlock, blocks), (PlanItem, items)):
        model.objects.bulk_create(rows, batch_size=2000)
    UserTaskFeedback.objects.bulk_create(feedback, batch_size=2000)


def _fields(instance, **changes) -> dict:
    values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    return {**values, **changes}


def export_once(user: uuid.UUID) -> tuple[float, int, int]:
    started = time.perf_counter()
    size = 0
    with CaptureQueriesContext(connection) as ctx:
        for chunk in export_chunks(user):
            size += len(chunk.encode())
    return (time.perf_counter() - started) * 1000, len(ctx.captured_queries), size


def export_peak(user: uuid.UUID) -> float:
    tracemalloc.start()
    for _chunk in export_chunks(user):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def floor_once(user: uuid.UUID) -> float:
    """Everything at once, no paging and no ORM: the naive export."""
    connection.ensure_connection()
    started = time.perf_counter()
    with connection.connection.cursor() as cur:
        document = {}
        for table in ("plans", "plan_items", "user_task_feedback"):
            cur.execute(f"SELECT * FROM {table} WHERE user_id = %s", (user,))
            document[table] = cur.fetchall()
        cur.execute(
            "SELECT * FROM time_blocks WHERE plan_id IN (SELECT id FROM plans WHERE user_id = %s)",
            (user,),
        )
        document["time_blocks"] = cur.fetchall()
        json.dumps(document, default=str)
    return (time.perf_counter() - started) * 1000


def floor_peak(user: uuid.UUID) -> float:
    tracemalloc.start()
    floor_once(user)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def run() -> list[PrivacyResult]:
    reset_data()
    build_library(SHIPPED_LIBRARY_SIZE)
    for _ in range(BACKGROUND_USERS):
        copy_history(uuid.uuid4(), BACKGROUND_DAYS)
    users = {days: [uuid.uuid4() for _ in range(USERS_PER_SIZE)] for days in SIZES}
    for days, ids in users.items():
        for user in ids:
            copy_history(user, days)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    results = []
    for days, ids in users.items():
        exports, floors, previews, erasures = [], [], [], []
        for _ in range(REPEATS):
            for user in ids:
                ms, queries, size = export_once(user)
                exports.append(ms)
                floors.append(floor_once(user))
        peak, floor_mb = export_peak(ids[0]), floor_peak(ids[0])
        items = PlanItem.objects.filter(user_id=ids[0]).count()
        feedback = UserTaskFeedback.objects.filter(user_id=ids[0]).count()
        for user in ids:
            started = time.perf_counter()
            erasure_preview(user)
            previews.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            erase_user(user)
            erasures.append((time.perf_counter() - started) * 1000)
        results.append(
            PrivacyResult(
                days,
                items,
                feedback,
                median(exports),
                queries,
                size / 2**20,
                peak,
                median(floors),
                floor_mb,
                median(previews),
                median(erasures),
            )
        )
    return results


def report(results: list[PrivacyResult]) -> str:
    lines = [
        f"{BACKGROUND_USERS} other users with {BACKGROUND_DAYS} days each in the same tables; "
        f"{USERS_PER_SIZE} users per history length, each exported {REPEATS} times (medians); "
        "peak memory is Python's (tracemalloc) while the document is produced and dropped.",
        "",
        "| history | items | feedback | document | export p50 | queries | export peak "
        "memory | naive read p50 | naive peak memory | dry run p50 | erase p50 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.days} days | {r.items} | {r.feedback} | {r.export_mb:.1f} MB | "
            f"{r.export_ms:.0f} ms | {r.export_queries} | {r.export_peak_mb:.1f} MB | "
            f"{r.floor_ms:.0f} ms | {r.floor_peak_mb:.1f} MB | {r.preview_ms:.1f} ms | "
            f"{r.erase_ms:.0f} ms |"
        )
    short, long = results[0], results[-1]
    lines += [
        "",
        f"Export peak memory, {long.days} against {short.days} days: "
        f"{long.export_peak_mb / short.export_peak_mb:.2f}x (the document grows "
        f"{long.export_mb / short.export_mb:.1f}x; the naive read's peak "
        f"{long.floor_peak_mb / short.floor_peak_mb:.1f}x).",
        f"Export time against the naive read: {short.export_ms / short.floor_ms:.1f}x "
        f"({short.days} days), {long.export_ms / long.floor_ms:.1f}x ({long.days} days).",
    ]
    return "\n".join(lines)
