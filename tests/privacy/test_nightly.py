"""The nightly run skips a user erased while it runs, at every point of a batch."""

import threading
import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from feedback.management.commands import regenerate_plans as command
from privacy.services import erase_user, erasure_preview
from routines import nightly, services
from routines.models import Plan
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 25)


def run() -> str:
    out = StringIO()
    call_command("regenerate_plans", "--date", DAY.isoformat(), "--all", stdout=out)
    return out.getvalue()


def test_erased_between_the_batchs_read_and_its_write(task_library, monkeypatch):
    """The batch read the user's profile and drafted their plan; the erasure commits
    before the write: the write finds no profile under its lock and writes nothing."""
    profiles = ProfileFactory.create_batch(3)
    victim = profiles[1].user_id
    real = nightly.draft_plan

    def erase_while_drafting(request):
        if request.user_id == victim:
            erase_user(victim)
        return real(request)

    monkeypatch.setattr(nightly, "draft_plan", erase_while_drafting)
    output = run()
    assert "users=3 plans_written=2 fallbacks=0 failures=0 skipped_erased=1" in output
    assert erasure_preview(victim).total == 0
    assert Plan.objects.count() == 2


def test_erased_after_the_user_list_was_read(task_library, monkeypatch):
    """Erased while the batch relearns (after the page of users was read): the profile
    read finds nothing, and nothing is planned for the user."""
    profiles = ProfileFactory.create_batch(3)
    victim = profiles[0].user_id
    real = command.relearn_users

    def erase_then_relearn(user_ids, day):
        erase_user(victim)
        return real(user_ids, day)

    monkeypatch.setattr(command, "relearn_users", erase_then_relearn)
    output = run()
    assert "plans_written=2" in output and "skipped_erased=1" in output
    assert erasure_preview(victim).total == 0


def test_erased_while_the_batch_is_written_one_user_at_a_time(task_library, monkeypatch):
    """The batch write failed and the users are written one by one: a user erased while
    an earlier user of the batch is written is skipped there too."""
    profiles = ProfileFactory.create_batch(3)
    victim = max(p.user_id for p in profiles)  # written last: batches go in user_id order
    real_store = services.store_plans

    def failing_batch_write(day, plans, regenerate):
        raise RuntimeError("batch write failed")

    def erase_during_first_write(day, plans, regenerate):
        if not erased:
            erase_user(victim)
            erased.append(victim)
        return real_store(day, plans, regenerate)

    erased = []
    monkeypatch.setattr(nightly, "store_plans", failing_batch_write)
    monkeypatch.setattr(services, "store_plans", erase_during_first_write)
    output = run()
    assert "plans_written=2" in output and "skipped_erased=1" in output
    assert erasure_preview(victim).total == 0
    assert Plan.objects.count() == 2


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction the activity view is a snapshot taken once: refresh it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT COUNT(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_erasure_racing_the_batch_write_waits_and_deletes_it(task_library, monkeypatch):
    """Real concurrency: the erasure arrives while the batch holds the profiles' locks and
    is writing. It waits on the profile lock, then deletes what the batch wrote."""
    profiles = ProfileFactory.create_batch(3)
    victim = profiles[0].user_id
    real = nightly.store_plans
    errors: list[Exception] = []

    def eraser() -> None:
        try:
            erase_user(victim)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=eraser)

    def write_while_an_erasure_waits(day, plans, regenerate):
        thread.start()
        # A deadline, not a timing assertion: the eraser is blocked on the profile lock.
        deadline = time.monotonic() + 10
        while not waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert waiting_on_a_lock() == 1
        return real(day, plans, regenerate)

    monkeypatch.setattr(nightly, "store_plans", write_while_an_erasure_waits)
    output = run()
    thread.join()
    assert not errors
    assert "plans_written=3" in output  # written, then erased once the batch committed
    assert erasure_preview(victim).total == 0
    assert set(Plan.objects.values_list("user_id", flat=True)) == {p.user_id for p in profiles[1:]}
