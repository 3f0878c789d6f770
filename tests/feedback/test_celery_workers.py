"""The nightly run on Celery, for real: a Redis broker and worker processes, one killed.

PostgreSQL only (the workers are other processes and must see the test's committed rows;
SQLite's test database lives in memory). Redis on 127.0.0.1:6379 (.ci/run starts it).
"""

import os
import socket
import time
import uuid
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count

from lab.workers import WorkerPool
from profiles.models import UserPreferenceProfile
from routines.models import ChunkStatus, NightlyChunk, Plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
DAY = date(2027, 3, 1)
LEASE_SECONDS = 3


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def workers(task_library, settings):
    if not _redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = BROKER
    pool = WorkerPool(BROKER, {"NIGHTLY_CHUNK_LEASE_SECONDS": str(LEASE_SECONDS)})
    yield pool
    pool.stop()


def _profiles(count: int) -> list[uuid.UUID]:
    users = [uuid.uuid4() for _ in range(count)]
    UserPreferenceProfile.objects.bulk_create(
        UserPreferenceProfile(user_id=user, archetype="Foundation Builder") for user in users
    )
    return users


def _plans_per_user(users) -> dict:
    rows = Plan.objects.filter(date=DAY).values("user_id").annotate(n=Count("id"))
    return {row["user_id"]: row["n"] for row in rows if row["user_id"] in set(users)}


def _wait_until(condition, timeout: float, every: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s")


def test_two_workers_plan_every_user_exactly_once(workers):
    users = _profiles(60)
    processes = workers.start(2)
    call_command("regenerate_plans", "--date", DAY.isoformat(), "--all", "--chunks", "8", "--wait")

    assert _plans_per_user(users) == {user: 1 for user in users}
    chunks = list(NightlyChunk.objects.all())
    assert [c.status for c in chunks] == [ChunkStatus.DONE] * 8
    assert sum(c.users for c in chunks) == 60
    pids = {c.worker.rsplit(":", 1)[1] for c in chunks}
    assert pids <= {str(p.pid) for p in processes}
    # Re-running a finished chunk changes nothing.
    before = sorted(Plan.objects.filter(date=DAY).values_list("id", flat=True))
    from feedback.tasks import regenerate_chunk

    assert regenerate_chunk.apply(args=[chunks[0].id]).get() == "done"
    assert sorted(Plan.objects.filter(date=DAY).values_list("id", flat=True)) == before


def test_a_chunk_of_a_killed_worker_is_redone_by_another(workers):
    users = _profiles(160)
    first, second = workers.start(2)
    call_command("regenerate_plans", "--date", DAY.isoformat(), "--all", "--chunks", "4")

    def first_is_busy():
        return NightlyChunk.objects.filter(
            status=ChunkStatus.RUNNING, worker__endswith=f":{first.pid}"
        ).first()

    victim = _wait_until(first_is_busy, timeout=60)
    workers.kill(first)  # mid-chunk

    call_command("nightly_status", "--wait", "--interval", "1", "--timeout", "120")
    victim.refresh_from_db()
    assert victim.status == ChunkStatus.DONE
    assert victim.attempts >= 2
    assert victim.worker.endswith(f":{second.pid}")
    assert _plans_per_user(users) == {user: 1 for user in users}
