"""Celery tasks: thin callers of feedback.nightly_jobs."""

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from . import nightly_jobs

MAX_RETRIES = 5


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def regenerate_chunk(self, chunk_id: int) -> str:
    """Relearn and plan one chunk of a nightly run; idempotent (a done chunk is a no-op)."""
    try:
        claim = nightly_jobs.plan_chunk(chunk_id)
    except DatabaseError as exc:  # a lock timeout, a lost connection: try again
        final = self.request.retries >= self.max_retries
        nightly_jobs.give_up_chunk(chunk_id, f"{type(exc).__name__}: {exc}", final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc
    except Exception as exc:  # a bug: retrying will not help; the chunk shows the error
        nightly_jobs.give_up_chunk(chunk_id, f"{type(exc).__name__}: {exc}", final=True)
        raise
    if claim.held:
        # Another worker holds a live lease: come back when it would have expired.
        raise self.retry(countdown=settings.NIGHTLY_CHUNK_LEASE_SECONDS, max_retries=None)
    return "done" if claim.done else "planned"
