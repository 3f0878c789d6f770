"""The nightly run cut into chunks for Celery workers (feedback/tasks.py calls these).

A chunk is the same work as the in-process run, on one key range of users: relearn each
batch as of the day, then plan it (`routines.nightly.regenerate_plans`). It lives in the
feedback app for the same reason as the `regenerate_plans` command: relearning is above
routines. Bookkeeping (claim, finish, progress) is `routines.runs`.
"""

import math
import os
import socket
import time
from collections.abc import Callable
from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import CommandError

from core import metrics
from profiles.models import UserPreferenceProfile
from routines import runs
from routines.models import NightlyChunk, NightlyRun
from routines.nightly import regenerate_plans
from routines.selectors import users_to_plan

from .services import relearn_users


def chunk_count_for(users: int, chunk_users: int) -> int:
    return max(1, math.ceil(users / chunk_users))


def enqueue_run(
    day: date,
    send: Callable[[int], object],
    chunk_count: int | None = None,
    batch_size: int = 200,
) -> NightlyRun:
    """Create the run and its chunks, then hand each chunk's id to `send` (a task's delay).

    The chunk count follows the number of profiles (NIGHTLY_CHUNK_USERS a chunk) unless
    given; the count is the only read over every profile, once a night.
    """
    if chunk_count is None:
        chunk_count = chunk_count_for(
            UserPreferenceProfile.objects.count(), settings.NIGHTLY_CHUNK_USERS
        )
    run = runs.create_run(day, chunk_count, batch_size)
    for chunk_id in run.chunks.order_by("position").values_list("id", flat=True):
        send(chunk_id)
    return run


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def plan_chunk(chunk_id: int) -> runs.Claim:
    """Claim the chunk and plan its users; a done chunk (or one held by a live worker) is
    left alone and the claim says so. Raises what planning raises: the task retries."""
    lease = timedelta(seconds=settings.NIGHTLY_CHUNK_LEASE_SECONDS)
    claim = runs.claim_chunk(chunk_id, worker_name(), lease)
    if claim.chunk is None:
        return claim
    chunk, day = claim.chunk, claim.chunk.run.day
    started = time.monotonic()
    report = regenerate_plans(
        day,
        users_to_plan(None, chunk.run.batch_size, claim.users),
        before_batch=lambda user_ids: relearn_users(user_ids, day),
    )
    runs.finish_chunk(chunk, report)
    metrics.nightly_chunk_seconds.observe(time.monotonic() - started)
    metrics.nightly_users_planned.inc(report.users)
    return claim


def give_up_chunk(chunk_id: int, error: str, final: bool) -> None:
    """The attempt raised: release the chunk for its retry, or mark it failed."""
    chunk = NightlyChunk.objects.filter(id=chunk_id).first()
    if chunk is not None:
        runs.release_chunk(chunk, error, final)
    metrics.nightly_chunk_failures.inc()


def follow_run(
    write: Callable[[str], object], run_id, wait: bool, interval: float, timeout: float
) -> None:
    """Write a run's progress (and wait for it to finish); CommandError on failures."""
    started = time.monotonic()
    while True:
        progress = runs.run_progress(run_id)
        if progress is None:
            raise CommandError("no such nightly run")
        write(progress.describe())
        if progress.finished or not wait:
            break
        if timeout and time.monotonic() - started > timeout:
            raise CommandError(f"run {progress.run.id} not finished after {timeout:.0f}s")
        time.sleep(interval)
    if progress.finished and not progress.ok:
        raise CommandError(f"run {progress.run.id} finished with failures")
