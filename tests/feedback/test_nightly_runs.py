"""Nightly runs in chunks: claiming with a lease, finishing, progress (no broker needed)."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from feedback import nightly_jobs
from routines import runs
from routines.models import ChunkStatus, NightlyChunk, Plan
from routines.nightly import RegenerationReport
from routines.sharding import key_range
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 1)
LEASE = timedelta(minutes=15)


def test_a_run_cuts_the_id_space_into_its_chunks():
    run = runs.create_run(DAY, 4, 100)
    chunks = list(run.chunks.order_by("position"))
    assert [c.position for c in chunks] == [1, 2, 3, 4]
    assert {c.status for c in chunks} == {ChunkStatus.PENDING}
    claim = runs.claim_chunk(chunks[2].id, "w1", LEASE)
    assert claim.users == key_range(3, 4)


def test_a_claimed_chunk_is_held_until_its_lease_runs_out():
    chunk = runs.create_run(DAY, 1, 100).chunks.get()
    now = timezone.now()
    assert runs.claim_chunk(chunk.id, "w1", LEASE, now).chunk is not None
    assert runs.claim_chunk(chunk.id, "w2", LEASE, now + timedelta(minutes=1)).held
    later = runs.claim_chunk(chunk.id, "w2", LEASE, now + LEASE + timedelta(seconds=1))
    assert later.chunk is not None and later.chunk.worker == "w2"
    assert NightlyChunk.objects.get(id=chunk.id).attempts == 2


def test_a_done_chunk_is_never_claimed_again():
    chunk = runs.create_run(DAY, 1, 100).chunks.get()
    claim = runs.claim_chunk(chunk.id, "w1", LEASE)
    runs.finish_chunk(claim.chunk, RegenerationReport(users=3, plans_written=3))
    assert runs.claim_chunk(chunk.id, "w2", LEASE).done
    progress = runs.run_progress()
    assert progress.finished and progress.ok and progress.users == 3
    assert progress.run.finished_at is not None


def test_a_failed_attempt_goes_back_to_pending_and_a_final_one_fails_the_run():
    run = runs.create_run(DAY, 2, 100)
    first, second = run.chunks.order_by("position")
    runs.release_chunk(runs.claim_chunk(first.id, "w1", LEASE).chunk, "OperationalError", False)
    assert NightlyChunk.objects.get(id=first.id).status == ChunkStatus.PENDING
    runs.release_chunk(runs.claim_chunk(first.id, "w1", LEASE).chunk, "OperationalError", True)
    runs.finish_chunk(runs.claim_chunk(second.id, "w1", LEASE).chunk, RegenerationReport())
    progress = runs.run_progress(run.id)
    assert progress.finished and not progress.ok
    assert progress.chunks == {ChunkStatus.FAILED: 1, ChunkStatus.DONE: 1}
    with pytest.raises(CommandError, match="finished with failures"):
        call_command("nightly_status", str(run.id))


def test_chunks_in_process_plan_every_user_once(task_library):
    """What a worker runs, without a broker: every chunk of an enqueued run."""
    users = [p.user_id for p in ProfileFactory.create_batch(9)]
    sent = []
    run = nightly_jobs.enqueue_run(DAY, sent.append, chunk_count=3, batch_size=2)
    assert len(sent) == 3
    for chunk_id in sent:
        assert nightly_jobs.plan_chunk(chunk_id).chunk is not None
    assert nightly_jobs.plan_chunk(sent[0]).done  # again: nothing to do
    planned = list(Plan.objects.filter(date=DAY).values_list("user_id", flat=True))
    assert sorted(planned) == sorted(users)
    assert runs.run_progress(run.id).users == 9


def test_the_chunk_count_follows_the_number_of_profiles(settings):
    settings.NIGHTLY_CHUNK_USERS = 4
    ProfileFactory.create_batch(9)
    run = nightly_jobs.enqueue_run(DAY, lambda chunk_id: None)
    assert run.chunk_count == 3


@pytest.mark.parametrize(
    "extra", [["--user", "2f6f1a52-3b7e-4d35-9a55-6f7c0f1f2a11"], ["--dry-run"]]
)
def test_celery_runs_take_everyone(settings, extra):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    args = ["--date", DAY.isoformat(), *(extra if "--user" in extra else ["--all", *extra])]
    with pytest.raises(CommandError, match="need --in-process"):
        call_command("regenerate_plans", *args)


def test_nightly_status_without_a_run_is_a_usage_error():
    with pytest.raises(CommandError, match="no such nightly run"):
        call_command("nightly_status")


def test_admin_shows_each_runs_progress_in_one_query(admin_client, django_assert_max_num_queries):
    for count in (2, 3, 4):
        run = runs.create_run(DAY, count, 100)
        claim = runs.claim_chunk(run.chunks.get(position=1).id, "w1", LEASE)
        runs.finish_chunk(claim.chunk, RegenerationReport(users=5, plans_written=5))
    with django_assert_max_num_queries(8):  # session, user, count, the annotated page
        response = admin_client.get("/admin/routines/nightlyrun/")
    assert response.status_code == 200
    assert response.content.decode().count("1 / 0 / 0") == 3
    detail = admin_client.get(f"/admin/routines/nightlyrun/{run.id}/change/")
    assert detail.content.decode().count("pending") >= 3


def test_a_celery_run_rolls_up_the_closed_days_once(settings, monkeypatch, task_library):
    """The in-process run rolls up after planning; an enqueued run when it enqueues."""
    from feedback.management.commands import regenerate_plans as command
    from feedback.tasks import regenerate_chunk

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    sent, rolled = [], []
    monkeypatch.setattr(regenerate_chunk, "delay", sent.append)
    monkeypatch.setattr(command, "nightly_rollup", lambda day: rolled.append(day) or _Rolled())
    ProfileFactory.create_batch(3)
    call_command("regenerate_plans", "--date", DAY.isoformat(), "--all", "--chunks", "2")
    assert len(sent) == 2 and rolled == [DAY]


class _Rolled:
    since = until = DAY
    outcome_rows = 0
