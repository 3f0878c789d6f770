"""prune_history on either database: old plans go in bounded batches, feedback stays."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import UserTaskFeedback
from feedback.retention import MIN_KEEP_DAYS, prune_history
from routines.models import Plan, PlanItem, TimeBlock
from tests.factories import FeedbackFactory, PlanFactory, PlanItemFactory, TimeBlockFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
KEEP = 200
CUTOFF = TODAY - timedelta(days=KEEP)


def _plan_with_items(day: date, items: int = 2):
    plan = PlanFactory(date=day)
    block = TimeBlockFactory(plan=plan)
    made = [PlanItemFactory(time_block=block, position=n) for n in range(items)]
    return plan, made


def test_old_plans_go_with_their_blocks_and_items_and_feedback_stays():
    old_plan, old_items = _plan_with_items(CUTOFF - timedelta(days=2))
    kept_plan, kept_items = _plan_with_items(CUTOFF)
    old_feedback = FeedbackFactory(plan_item=old_items[0])
    kept_feedback = FeedbackFactory(plan_item=kept_items[0])

    report = prune_history(TODAY, KEEP)

    assert report.cutoff == CUTOFF
    assert (report.plans, report.time_blocks, report.items) == (1, 1, 2)
    assert list(Plan.objects.all()) == [kept_plan]
    assert set(PlanItem.objects.all()) == set(kept_items)
    assert TimeBlock.objects.filter(plan=old_plan).count() == 0
    old_feedback.refresh_from_db()
    kept_feedback.refresh_from_db()
    assert old_feedback.plan_item_id is None  # the database cleared the link
    assert old_feedback.scheduled_date == CUTOFF - timedelta(days=2)  # history kept
    assert kept_feedback.plan_item_id == kept_items[0].id


def test_a_plan_the_day_before_the_cutoff_stays_because_its_late_items_are_not_old():
    plan, _ = _plan_with_items(CUTOFF - timedelta(days=1))

    prune_history(TODAY, KEEP)

    assert Plan.objects.filter(pk=plan.pk).exists()


def test_deletes_in_bounded_batches_and_a_rerun_finds_nothing():
    for n in range(5):
        _plan_with_items(CUTOFF - timedelta(days=10 + n), items=3)

    with CaptureQueriesContext(connection) as queries:
        report = prune_history(TODAY, KEEP, batch_size=2)
    deletes = [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "plans"')]

    assert report.plans == 5 and report.items == 15
    assert len(deletes) == 3  # batches of 2, 2 and 1 plans
    assert prune_history(TODAY, KEEP, batch_size=2).plans == 0
    assert UserTaskFeedback.objects.count() == 0


def test_dry_run_counts_and_deletes_nothing():
    _plan_with_items(CUTOFF - timedelta(days=30), items=3)

    report = prune_history(TODAY, KEEP, dry_run=True)

    assert (report.plans, report.items) == (1, 3)
    assert PlanItem.objects.count() == 3


def test_refuses_to_keep_less_than_the_windows_learning_reads():
    with pytest.raises(ValueError, match="at least 120"):
        prune_history(TODAY, MIN_KEEP_DAYS - 1)


def test_command_prints_what_it_did(capsys):
    _, items = _plan_with_items(CUTOFF - timedelta(days=3))
    FeedbackFactory(plan_item=items[0])

    call_command("prune_history", "--keep-days", str(KEEP), "--today", TODAY.isoformat())

    out = capsys.readouterr().out
    assert "plans=1 time_blocks=1 items=2" in out
    assert UserTaskFeedback.objects.count() == 1


def test_command_names_the_bad_argument():
    with pytest.raises(CommandError, match="--keep-days"):
        call_command("prune_history", "--keep-days", "30")


def test_ensure_partitions_command_runs_on_either_database(capsys):
    call_command("ensure_partitions", "--months-ahead", "2")

    assert "created=" in capsys.readouterr().out
