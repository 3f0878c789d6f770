"""Benchmark 5: evaluate_policy over a week of logs, and the bytes a logged plan item costs.

Logged plans are generated with COPY, not the planner (a week for 10,000 users would take
the planner most of an hour): per user and day one adaptive-v3 plan of 12 slots, each slot
offering up to 16 tasks of one category of the shipped library with random propensities
(floor 0.05 / K, as the planner's exploration), the chosen task drawn from them; the user
opens the app on 85% of days and completes 45% and skips 15% of that day's items.

Each evaluation is a real `manage.py evaluate_policy` subprocess; peak memory is its VmHWM
polled from /proc (regeneration.py says why). With `--evaluate-baseline PATH` (a checkout
of the commit before compact logs, e.g. `git worktree add /tmp/eval-base ac56a72`), the
smaller size is first generated in the old schema (JSON slot propensities), measured with
the old code, then migrated (the data migration converts it) and measured again with this
code: the same data side by side, bytes per item included.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from lab.benchmarks.regeneration import _high_water_kb
from library.seeding import seed_library
from library.selectors import active_candidates
from routines import slot_log

FIRST_DAY = date(2026, 3, 2)
DAYS = 7
SLOTS = 12
BLOCKS = (("Morning", "morning"), ("Midday", "afternoon"), ("Evening", "evening"))
OLD_STATE = (("routines", "0003_plan_items_scheduled_date_index"), ("library", "0001_initial"))


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    code: str  # "before" (the baseline checkout) or "after"
    users: int
    workers: int
    slots: int
    events: int
    seconds: float
    peak_mb: float
    bytes_per_item: float
    log_bytes_per_item: float

    @property
    def slots_per_second(self) -> float:
        return self.slots / self.seconds if self.seconds else 0.0


def _reset() -> None:
    with connection.cursor() as cur:
        cur.execute("TRUNCATE user_task_feedback, plan_items, time_blocks, plans, policy_estimates")


def _columns(table: str) -> set[str]:
    with connection.cursor() as cur:
        return {c.name for c in connection.introspection.get_table_description(cur, table)}


_COLUMNS = {
    "plans": "id, user_id, date, archetype, plan_type, model_used, readiness_mode, wake_time,"
    " fallback_reason, created_at, updated_at",
    "time_blocks": "id, plan_id, position, block_name, start_time, end_time, zone_type,"
    " purpose, time_of_day",
    "plan_items": "id, plan_id, time_block_id, position, user_id, scheduled_date,"
    " scheduled_time, end_time, title, description, category, priority,"
    " estimated_duration_minutes, time_of_day, task_library_id, variation_group, is_dynamic,"
    " policy, propensity, {log}",
    "user_task_feedback": "id, user_id, task_library_id, plan_item_id, scheduled_date,"
    " scheduled_time, category, time_of_day, completed, completed_at, completed_early_minutes,"
    " satisfaction_rating, user_notes, skipped, skip_reason, mode_at_time, created_at,"
    " updated_at",
}
BATCH_USERS = 500


def generate(users: int, library: list, seed: int = 18) -> int:
    """A week of logged plans and outcomes for `users` users; returns the logged items.

    Writes JSON slot propensities when the schema is the old one, compact logs otherwise.
    `library` is read before any migration back: the old schema has no task numbers.
    """
    _reset()
    by_category: dict[str, list] = {}
    for task in library:
        by_category.setdefault(task.category, []).append(task)
    categories = sorted(by_category)
    compact = "slot_log" in _columns("plan_items")
    rng = np.random.default_rng(seed)
    logged = 0
    for start in range(0, users, BATCH_USERS):
        rows = _batch(min(BATCH_USERS, users - start), by_category, categories, compact, rng)
        logged += len(rows["plan_items"])
        connection.ensure_connection()
        with connection.connection.cursor() as cur:
            for table, columns in _COLUMNS.items():
                columns = columns.format(log="slot_log" if compact else "slot_propensities")
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows[table]:
                        copy.write_row(row)
    with connection.cursor() as cur:
        cur.execute("ANALYZE plans, time_blocks, plan_items, user_task_feedback")
    return logged


def _batch(users: int, by_category, categories, compact: bool, rng) -> dict[str, list]:
    rows: dict[str, list] = {table: [] for table in _COLUMNS}
    now = datetime.now(UTC)
    for _ in range(users):
        user = uuid.UUID(bytes=rng.bytes(16), version=4)
        for offset in range(DAYS):
            day = FIRST_DAY + timedelta(days=offset)
            plan_id = uuid.uuid4()
            mode = ("high", "medium", "low")[int(rng.integers(3))]
            rows["plans"].append(
                (plan_id, user, day, "Peak Performer", "dynamic_routine", "task_library_v1",
                 mode, "06:30", "", now, now)
            )  # fmt: skip
            block_ids = [uuid.uuid4() for _ in BLOCKS]
            for i, (name, part) in enumerate(BLOCKS):
                rows["time_blocks"].append(
                    (block_ids[i], plan_id, i, name, "07:00", "09:00", "peak", "p", part)
                )
            active = rng.random() < 0.85
            for position in range(SLOTS):
                block = position * len(BLOCKS) // SLOTS
                part = BLOCKS[block][1]
                pool = by_category[categories[int(rng.integers(len(categories)))]]
                size = min(16, len(pool))
                offered = [pool[i] for i in rng.choice(len(pool), size, replace=False)]
                share = rng.dirichlet(np.ones(size))
                probabilities = [round(float(p), 6) for p in 0.95 * share + 0.05 / size]
                pick = int(rng.choice(size, p=share))
                chosen = offered[pick]
                pairs = list(zip(offered, probabilities, strict=True))
                log = (
                    slot_log.encode((t.number, p) for t, p in pairs)
                    if compact
                    else json.dumps({t.id: p for t, p in pairs})
                )
                item_id = uuid.uuid4()
                rows["plan_items"].append(
                    (item_id, plan_id, block_ids[block], position, user, day, "07:30", "07:40",
                     chosen.name, "d", chosen.category, "medium", 10, part, chosen.id,
                     chosen.variation_group, True, "adaptive-v3", probabilities[pick], log)
                )  # fmt: skip
                outcome = rng.random()
                if active and outcome < 0.6:
                    done = outcome < 0.45
                    rows["user_task_feedback"].append(
                        (uuid.uuid4(), user, chosen.id, item_id, day, "07:30", chosen.category,
                         part, done, now if done else None, None, None, "", not done,
                         "" if done else "no_time", mode, now, now)
                    )  # fmt: skip
    return rows


def bytes_per_item() -> tuple[float, float]:
    """(plan_items with its indexes and TOAST, the slot logs alone) per row, in bytes."""
    with connection.cursor() as cur:
        # Compacted first, before and after alike: the migration's rewrite leaves dead rows.
        cur.execute("VACUUM FULL ANALYZE plan_items")
        log = "slot_log" if "slot_log" in _columns("plan_items") else "slot_propensities"
        cur.execute(
            f"SELECT pg_total_relation_size('plan_items'), count(*),"
            f" coalesce(sum(pg_column_size({log})), 0) FROM plan_items"
        )
        total, rows, logs = cur.fetchone()
    return total / max(1, rows), logs / max(1, rows)


def _descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in children] + [d for c in children for d in _descendants(int(c))]


def _evaluate(checkout: Path, workers: int) -> tuple[float, float, int]:
    """One `evaluate_policy` run: (seconds, peak MB of its largest process, events)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lab.benchmarks.settings"}
    until = FIRST_DAY + timedelta(days=DAYS - 1)
    command = [
        sys.executable, str(checkout / "manage.py"), "evaluate_policy", "--candidate",
        "adaptive", "--since", FIRST_DAY.isoformat(), "--until", until.isoformat(), "--no-save",
    ]  # fmt: skip
    if workers > 1:  # the baseline checkout has no --workers
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid in [process.pid, *_descendants(process.pid)]:
            peaks[pid] = _high_water_kb(pid) or peaks.get(pid, 0)
        time.sleep(0.05)
    peak = max(peaks.values(), default=0)
    seconds = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(f"evaluate_policy failed: {err[-2000:]}")
    events = int(out.split("events: ")[1].split()[0])
    return seconds, peak / 1024, events


def _measure(
    code: str, checkout: Path, users: int, slots: int, workers: int = 1
) -> EvaluationResult:
    total, log = bytes_per_item()
    seconds, peak, events = _evaluate(checkout, workers)
    return EvaluationResult(code, users, workers, slots, events, seconds, peak, total, log)


def run(
    sizes=(1000, 10000), baseline: str | None = None, workers: int = 2
) -> list[EvaluationResult]:
    """The first size in one process (beside the baseline's run when given), the larger
    sizes with `workers` processes as well."""
    here = Path(settings.BASE_DIR)
    seed_library()
    library = active_candidates(include_inactive=True)
    results = []
    for users in sizes:
        if baseline and users == sizes[0]:
            for app, migration in OLD_STATE:
                call_command("migrate", app, migration, verbosity=0)
            slots = generate(users, library)
            results.append(_measure("before", Path(baseline), users, slots))
            started = time.perf_counter()
            call_command("migrate", verbosity=0)  # converts the JSON logs
            print(f"migration of {slots} logged items: {time.perf_counter() - started:.1f} s")
        else:
            slots = generate(users, library)
        if users == sizes[0] or workers == 1:
            results.append(_measure("after", here, users, slots))
        if users != sizes[0] and workers > 1:
            results.append(_measure("after", here, users, slots, workers))
    return results


def report(results: list[EvaluationResult]) -> str:
    lines = [
        f"`evaluate_policy --candidate adaptive` over {DAYS} days of adaptive-v3 logs ({SLOTS} "
        "slots a plan, up to 16 candidates a slot); peak memory is the VmHWM of the largest "
        "process; bytes per item after VACUUM FULL (pg_total_relation_size: heap, TOAST and "
        "every index).",
        "",
        "| code | users | workers | logged slots | events | elapsed | slots/s | peak memory "
        "| plan_items bytes/item | slot log bytes/item |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.code} | {r.users} | {r.workers} | {r.slots} | {r.events} | {r.seconds:.1f} s "
            f"| {r.slots_per_second:.0f} | {r.peak_mb:.0f} MB | {r.bytes_per_item:.0f} "
            f"| {r.log_bytes_per_item:.0f} |"
        )
    return "\n".join(lines)
