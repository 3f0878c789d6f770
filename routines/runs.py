"""Nightly runs fanned out in chunks: creating them, claiming, finishing, progress.

A run cuts the user id space into `chunk_count` key ranges (routines.sharding); each chunk
is one Celery task. The rows here are the run's truth, whatever the broker does: a chunk
is claimed with a lease before its users are planned, so a task delivered twice (a retry,
a redelivery after a worker died) plans its users again only when the first attempt is
finished with or its lease ran out, and a done chunk is never planned again.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import ChunkStatus, NightlyChunk, NightlyRun
from .nightly import RegenerationReport
from .sharding import KeyRange, key_range

ERROR_KEPT_CHARS = 2000


def create_run(day: date, chunk_count: int, batch_size: int) -> NightlyRun:
    with transaction.atomic():
        run = NightlyRun.objects.create(day=day, chunk_count=chunk_count, batch_size=batch_size)
        NightlyChunk.objects.bulk_create(
            NightlyChunk(run=run, position=position) for position in range(1, chunk_count + 1)
        )
    return run


@dataclass(frozen=True, slots=True)
class Claim:
    """What a worker may do with a chunk it was handed."""

    chunk: NightlyChunk | None  # set: plan it
    done: bool = False  # already finished: nothing to do
    held: bool = False  # another worker holds a live lease: try again later

    @property
    def users(self) -> KeyRange:
        assert self.chunk is not None
        return key_range(self.chunk.position, self.chunk.run.chunk_count)


def claim_chunk(chunk_id: int, worker: str, lease: timedelta, now: datetime | None = None) -> Claim:
    """Take the chunk if it is pending, failed, or running on an expired lease."""
    now = now or timezone.now()
    with transaction.atomic():
        chunk = (
            NightlyChunk.objects.select_for_update()
            .select_related("run")
            .filter(id=chunk_id)
            .first()
        )
        if chunk is None or chunk.status == ChunkStatus.DONE:
            return Claim(None, done=True)
        if chunk.status == ChunkStatus.RUNNING and chunk.started_at > now - lease:
            return Claim(None, held=True)
        chunk.status = ChunkStatus.RUNNING
        chunk.attempts += 1
        chunk.worker = worker[:200]
        chunk.started_at = now
        chunk.finished_at = None
        chunk.save(update_fields=["status", "attempts", "worker", "started_at", "finished_at"])
    return Claim(chunk)


def finish_chunk(chunk: NightlyChunk, report: RegenerationReport) -> None:
    """Done: the chunk's counts (users failing alone are counted, the chunk is still done)."""
    chunk.status = ChunkStatus.DONE
    chunk.users = report.users
    chunk.plans_written = report.plans_written
    chunk.fallbacks = report.fallbacks
    chunk.failed_users = len(report.failures)
    chunk.error = "\n".join(f"{user}: {error}" for user, error in report.failures)[
        :ERROR_KEPT_CHARS
    ]
    chunk.finished_at = timezone.now()
    chunk.save()
    _close_run_if_finished(chunk.run_id)


def release_chunk(chunk: NightlyChunk, error: str, final: bool) -> None:
    """The attempt raised: back to pending for the retry, or failed for good."""
    chunk.status = ChunkStatus.FAILED if final else ChunkStatus.PENDING
    chunk.error = error[:ERROR_KEPT_CHARS]
    chunk.finished_at = timezone.now() if final else None
    chunk.save(update_fields=["status", "error", "finished_at"])
    if final:
        _close_run_if_finished(chunk.run_id)


def _close_run_if_finished(run_id: uuid.UUID) -> None:
    open_chunks = Q(status__in=[ChunkStatus.PENDING, ChunkStatus.RUNNING])
    if not NightlyChunk.objects.filter(open_chunks, run_id=run_id).exists():
        NightlyRun.objects.filter(id=run_id, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )


@dataclass(frozen=True, slots=True)
class RunProgress:
    run: NightlyRun
    chunks: dict[str, int]  # status -> count
    users: int
    plans_written: int
    fallbacks: int
    failed_users: int

    @property
    def open(self) -> int:
        return self.chunks.get(ChunkStatus.PENDING, 0) + self.chunks.get(ChunkStatus.RUNNING, 0)

    @property
    def finished(self) -> bool:
        return self.open == 0

    @property
    def ok(self) -> bool:
        return self.finished and not self.chunks.get(ChunkStatus.FAILED) and not self.failed_users

    def describe(self) -> str:
        by_status = ", ".join(f"{self.chunks.get(s, 0)} {s}" for s in ChunkStatus.values)
        return (
            f"run {self.run.id} for {self.run.day}: chunks {by_status} of "
            f"{self.run.chunk_count}; users={self.users} plans_written={self.plans_written} "
            f"fallbacks={self.fallbacks} failed_users={self.failed_users}"
        )


def run_progress(run_id: uuid.UUID | None = None) -> RunProgress | None:
    """A run's chunks by status and its totals (the newest run by default): two queries."""
    runs = NightlyRun.objects.all()
    run = runs.filter(id=run_id).first() if run_id else runs.order_by("-created_at").first()
    if run is None:
        return None
    rows = run.chunks.values("status").annotate(
        n=Count("id"),
        users=Sum("users"),
        plans=Sum("plans_written"),
        fallbacks=Sum("fallbacks"),
        failed=Sum("failed_users"),
    )
    chunks, totals = {}, [0, 0, 0, 0]
    for row in rows:
        chunks[row["status"]] = row["n"]
        for index, name in enumerate(("users", "plans", "fallbacks", "failed")):
            totals[index] += row[name] or 0
    return RunProgress(run, chunks, *totals)
