"""Benchmark 2: the nightly regenerate_plans over 10,000 users, one process and two shards.

New users (default profiles, no plans yet) show how cost grows with the number of users;
users with a learned profile and a week of plans behind them show the realistic night:
the adaptive scorer has evidence to weigh and rotation has history to read and update.

Each run is a real `manage.py regenerate_plans` subprocess. Peak memory is its VmHWM
(the high-water mark of its own address space) polled from /proc while it runs: the
ru_maxrss that wait4 reports would include the benchmark process's own peak, which a
forked child inherits.
"""

import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

from feedback.models import UserTaskFeedback
from library.choices import ARCHETYPES, MODES, TimeOfDay
from library.models import Task
from profiles import learning
from profiles.models import UserPreferenceProfile
from routines.models import Plan, PlanItem

from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library, reset_data
from .stats import verdict

DAY = date(2027, 2, 1)
TARGET_USERS_PER_SECOND = 200
HISTORY_DAYS = 6  # the longest rotation window


@dataclass
class RegenResult:
    users: int
    shards: int
    seconds: float
    peak_mb: float
    failures: int
    history_days: int = 0

    @property
    def users_per_second(self) -> float:
        return self.users / self.seconds if self.seconds else 0.0


def make_users(count: int, learned: bool = False) -> None:
    """Profiles for `count` users; `learned` ones carry four weeks' worth of evidence."""
    rng = random.Random(count)
    kinds = list(Task.objects.values_list("category", "subcategory", "difficulty").distinct())
    parts = [part for part in TimeOfDay.values if part != TimeOfDay.ANY]

    def learned_fields() -> dict:
        groups = []
        for category, subcategory, difficulty in kinds:
            seen = rng.randint(0, 6)
            rate = rng.uniform(0.2, 0.8)
            done = sum(rng.random() < rate for _ in range(seen))
            part = rng.choice(parts)
            for state, count in (("completed", done), ("skipped", seen - done)):
                if count:
                    groups.append(
                        learning.OutcomeGroup(category, subcategory, difficulty, part, state, count)
                    )
        return {
            "evidence": learning.evidence(groups),
            "profile_confidence": 1.0,
            "learning_phase": "establishment",
        }

    UserPreferenceProfile.objects.bulk_create(
        [
            UserPreferenceProfile(
                user_id=uuid.uuid4(),
                archetype=ARCHETYPES[i % len(ARCHETYPES)],
                current_mode=MODES[i % len(MODES)],
                **(learned_fields() if learned else {}),
            )
            for i in range(count)
        ],
        batch_size=2000,
    )


def _run(shards: int, day: date = DAY) -> tuple[float, float, int]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lab.benchmarks.settings"}
    base = [sys.executable, "manage.py", "regenerate_plans", "--date", day.isoformat(), "--all"]
    commands = [
        base + (["--shard", f"{k}/{shards}"] if shards > 1 else []) for k in range(1, shards + 1)
    ]
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            cmd,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for cmd in commands
    ]
    peaks = dict.fromkeys(process.pid for process in processes)
    while any(process.poll() is None for process in processes):
        for process in processes:
            peaks[process.pid] = _high_water_kb(process.pid) or peaks[process.pid]
        time.sleep(0.05)
    failures = 0
    for process in processes:
        out = process.stdout.read()
        failures += int(out.split("failures=")[1].split()[0]) if "failures=" in out else 1
    peak_kb = max(kb or 0 for kb in peaks.values())
    return time.perf_counter() - started, peak_kb / 1024, failures


def _high_water_kb(pid: int) -> int | None:
    """The process's peak resident memory so far (monotonic), None once it has exited."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def run(counts=(2500, 10000), history_users=2500) -> list[RegenResult]:
    results = []
    for count in counts:
        _prepare(count, learned=False)
        for shards in (1, 2) if count == max(counts) else (1,):
            results.append(_measure(count, shards))
    _prepare(history_users, learned=True)
    for offset in range(HISTORY_DAYS, 0, -1):
        _run(2, DAY - timedelta(days=offset))  # the week behind them; not measured
        _tick(DAY - timedelta(days=offset))  # ... and what the app posted about it
    for shards in (1, 2):
        results.append(_measure(history_users, shards, HISTORY_DAYS))
    return results


def _tick(day: date, active: float = 0.85, done: float = 0.45) -> None:
    """Completions on the day's items, as the spec's client posts them: nothing on a share
    of days, and nothing for tasks left undone (the nightly run then relearns from both)."""
    rng = random.Random(day.toordinal())
    items = PlanItem.objects.filter(scheduled_date=day).values_list(
        "id", "user_id", "task_library_id", "scheduled_time", "category", "time_of_day"
    )
    active_users: dict = {}
    rows = []
    for item_id, user_id, task_id, at, category, part in items.iterator(chunk_size=5000):
        if not active_users.setdefault(user_id, rng.random() < active) or rng.random() >= done:
            continue
        rows.append(
            UserTaskFeedback(
                user_id=user_id,
                plan_item_id=item_id,
                task_library_id=task_id,
                scheduled_date=day,
                scheduled_time=at,
                category=category,
                time_of_day=part,
                completed=True,
            )
        )
    UserTaskFeedback.objects.bulk_create(rows, batch_size=2000)


def _prepare(users: int, learned: bool) -> None:
    reset_data()
    build_library(SHIPPED_LIBRARY_SIZE)
    make_users(users, learned)


def _measure(users: int, shards: int, history_days: int = 0) -> RegenResult:
    Plan.objects.filter(date=DAY).delete()
    seconds, peak_mb, failures = _run(shards)
    return RegenResult(users, shards, seconds, peak_mb, failures, history_days)


def report(results: list[RegenResult]) -> str:
    lines = [
        "| users | profiles and history | processes | elapsed | users/s |"
        " peak memory (per process) | failures |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        kind = (
            f"learned, {r.history_days} days of plans, completions posted"
            if r.history_days
            else "new, no plans"
        )
        lines.append(
            f"| {r.users} | {kind} | {r.shards} | {r.seconds:.1f} s |"
            f" {r.users_per_second:.0f} | {r.peak_mb:.0f} MB | {r.failures} |"
        )
    slowest_two = min((r for r in results if r.shards == 2), key=lambda r: r.users_per_second)
    met = verdict(slowest_two.users_per_second >= TARGET_USERS_PER_SECOND)
    fresh = [r for r in results if r.shards == 1 and not r.history_days]
    fresh.sort(key=lambda r: r.users)
    lines += [
        "",
        f"Target >= {TARGET_USERS_PER_SECOND} users/s on this machine (two shards, the slower "
        f"kind of user): {slowest_two.users_per_second:.0f}, {met}. Memory in one process: "
        f"{fresh[0].peak_mb:.0f} MB for {fresh[0].users} users, {fresh[-1].peak_mb:.0f} MB "
        f"for {fresh[-1].users}.",
    ]
    return "\n".join(lines)
