"""Benchmark: the nightly run on Celery, one worker against two, side by side.

The same users are planned for a new day in each round by a run of key-range chunks on a
Redis broker, drained by one worker process, then by two; the rounds alternate so the
machine's drift falls on both. Users/s is the run's users over the time from enqueueing
to the last chunk done. Target (issue 19): two workers >= 1.8x one worker's users/s on a
quiet machine. This machine has two cores, which the workers share with PostgreSQL.
"""

import time
from dataclasses import dataclass
from datetime import date, timedelta

from feedback.nightly_jobs import enqueue_run
from feedback.tasks import regenerate_chunk
from routines.runs import run_progress

from ..workers import WorkerPool
from .plan_generation import SHIPPED_LIBRARY_SIZE, build_library, reset_data
from .regeneration import make_users
from .stats import median, verdict

BROKER = "redis://127.0.0.1:6379/14"
DAY = date(2027, 5, 3)
TARGET_SPEED_UP = 1.8


@dataclass
class ScalingResult:
    workers: int
    users: int
    runs: list[float]  # seconds

    @property
    def users_per_second(self) -> float:
        return self.users / median(self.runs)


def _one_run(day: date, chunks: int) -> tuple[float, int]:
    started = time.perf_counter()
    run = enqueue_run(day, regenerate_chunk.delay, chunk_count=chunks)
    while True:
        progress = run_progress(run.id)
        if progress.finished:
            return time.perf_counter() - started, progress.users
        time.sleep(0.2)


def run(users: int = 4000, chunks: int = 16, rounds: int = 3) -> list[ScalingResult]:
    reset_data()
    build_library(SHIPPED_LIBRARY_SIZE)
    make_users(users, learned=True)
    results = {1: ScalingResult(1, users, []), 2: ScalingResult(2, users, [])}
    day = DAY
    for _ in range(rounds):
        for count in (1, 2):
            pool = WorkerPool(BROKER)
            try:
                pool.start(count)
                time.sleep(3)  # let the workers connect before the clock starts
                seconds, planned = _one_run(day, chunks)
            finally:
                pool.stop()
            assert planned == users, (planned, users)
            results[count].runs.append(seconds)
            day += timedelta(days=1)
    return [results[1], results[2]]


def report(results: list[ScalingResult]) -> str:
    one, two = results
    lines = [
        "| workers | users | runs | median elapsed | users/s |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.workers} | {r.users} | {len(r.runs)} | {median(r.runs):.1f} s |"
            f" {r.users_per_second:.0f} |"
        )
    speed_up = two.users_per_second / one.users_per_second if one.users_per_second else 0.0
    lines += [
        "",
        f"Two workers / one worker: {speed_up:.2f}x (target >= {TARGET_SPEED_UP}x on a quiet "
        f"machine: {verdict(speed_up >= TARGET_SPEED_UP)}).",
    ]
    return "\n".join(lines)
