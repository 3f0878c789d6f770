"""PostgreSQL: plan_items and user_task_feedback partitioned by month (feedback 0009)."""

import uuid
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from core import partitions
from feedback.models import UserTaskFeedback
from feedback.retention import ensure_partitions, prune_history
from routines.models import Plan, PlanItem
from routines.services import generate_plan
from tests.factories import (
    FeedbackFactory,
    PlanFactory,
    PlanItemFactory,
    ProfileFactory,
    TimeBlockFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _partitions(table: str) -> list[partitions.Partition]:
    with connection.cursor() as cursor:
        return partitions.partitions(cursor, table)


def _home(table: str, row_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [row_id])
        return cursor.fetchone()[0]


def _monthly(table: str) -> list[partitions.Partition]:
    return [p for p in _partitions(table) if p.lower is not None]


def _item_on(day: date) -> PlanItem:
    return PlanItemFactory(time_block=TimeBlockFactory(plan=PlanFactory(date=day)))


def test_both_tables_have_an_old_partition_months_ahead_and_a_default():
    for table in ("plan_items", "user_task_feedback"):
        found = _partitions(table)
        assert found[0].lower is None and found[0].name.startswith(f"{table}_p_before_")
        assert len(_monthly(table)) >= 3
        assert found[-1].is_default


def test_rows_land_in_their_month_and_feedback_beside_its_item():
    month = _monthly("plan_items")[1]
    item = _item_on(month.lower + timedelta(days=3))
    feedback = FeedbackFactory(plan_item=item)
    old = PlanFactory(date=date(2020, 5, 1))

    assert _home("plan_items", item.id) == month.name
    assert _home("user_task_feedback", feedback.id) == month.name.replace(
        "plan_items", "user_task_feedback"
    )
    assert _home("plans", old.id) == "plans"  # plans are not partitioned
    assert _home("plan_items", _item_on(date(2020, 5, 1)).id).startswith("plan_items_p_before_")
    assert _home("plan_items", _item_on(date(2200, 1, 1)).id) == "plan_items_default"


def test_replacing_a_plan_still_clears_the_feedback_link(task_library):
    day = _monthly("plan_items")[0].lower + timedelta(days=9)
    user = uuid.uuid4()
    stored = generate_plan(user, "Connected Explorer", day)
    item = stored.items[0]
    feedback = FeedbackFactory(plan_item=item, user_id=user)

    generate_plan(user, "Connected Explorer", day, regenerate=True)

    feedback.refresh_from_db()
    assert feedback.plan_item_id is None
    assert feedback.scheduled_date == item.scheduled_date
    assert not PlanItem.objects.filter(id=item.id).exists()


def test_feedback_cannot_point_at_an_item_of_another_date():
    item = _item_on(_monthly("plan_items")[0].lower)
    with pytest.raises(Exception, match="foreign key"):
        FeedbackFactory(plan_item=item, scheduled_date=item.scheduled_date + timedelta(days=1))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_retention_drops_whole_old_months_and_keeps_their_feedback():
    first, second = _monthly("plan_items")[:2]
    old = _item_on(first.lower + timedelta(days=5))
    kept = _item_on(second.lower + timedelta(days=5))
    old_feedback = FeedbackFactory(plan_item=old)
    kept_feedback = FeedbackFactory(plan_item=kept)
    keep_days = 150
    today = second.lower + timedelta(days=keep_days)  # the cutoff is the second month's start

    report = prune_history(today, keep_days, batch_size=1)

    assert first.name in report.partitions_dropped
    assert second.name not in report.partitions_dropped
    assert first.name not in {p.name for p in _partitions("plan_items")}
    assert report.links_cleared >= 1
    old_feedback.refresh_from_db()
    kept_feedback.refresh_from_db()
    assert old_feedback.plan_item_id is None
    assert kept_feedback.plan_item_id == kept.id
    assert UserTaskFeedback.objects.count() == 2  # feedback partitions are never dropped
    assert not Plan.objects.filter(id=old.plan_id).exists()
    assert PlanItem.objects.filter(id=kept.id).exists()
    assert prune_history(today, keep_days).partitions_dropped == []


def test_ensure_partitions_adds_months_once_and_reports_a_month_in_the_default():
    last = _monthly("plan_items")[-1]
    created, problems = ensure_partitions(last.upper, months_ahead=2)

    assert problems == []
    assert partitions.partition_name("plan_items", last.upper) in created
    assert partitions.partition_name("user_task_feedback", last.upper) in created
    assert ensure_partitions(last.upper, months_ahead=2) == ([], [])

    beyond = _monthly("plan_items")[-1].upper
    _item_on(beyond + timedelta(days=40))  # lands in the default
    created, problems = ensure_partitions(beyond, months_ahead=2)
    assert partitions.partition_name("plan_items", beyond) in created  # the empty month
    assert problems and "plan_items" in problems[0]


def test_the_nightly_run_creates_the_month_it_writes_into(task_library):
    last = _monthly("plan_items")[-1]
    day = last.upper + timedelta(days=3)  # a month no partition covers yet
    ProfileFactory()

    call_command("regenerate_plans", "--date", day.isoformat(), "--all", stdout=StringIO())

    month = partitions.partition_name("plan_items", last.upper)
    item = PlanItem.objects.filter(scheduled_date=day).first()
    assert _home("plan_items", item.id) == month  # not the default
