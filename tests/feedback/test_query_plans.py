"""PostgreSQL: the reads of the big tables use the indexes kept for them (issue 18, item 3).

Each check runs the real code, captures its statements, and EXPLAINs them with sequential
scans priced out of reach (enable_seqscan off): a read whose filter no index serves still
shows a Seq Scan, and the index each read picks is named. Partitions' indexes are mapped to
their parent index, the name in the models' Meta.
"""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.db import connection

from feedback import outcomes
from feedback.history import outcome_histories
from feedback.retention import prune_history
from feedback.selectors import feedback_targets
from routines.models import PlanItem
from tests.factories import (
    FeedbackFactory,
    PlanFactory,
    PlanItemFactory,
    TaskFactory,
    TimeBlockFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BIG = ("plan_items", "user_task_feedback")


def _parents() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, coalesce(p.relname, c.relname) FROM pg_class c "
            "LEFT JOIN pg_inherits i ON i.inhrelid = c.oid "
            "LEFT JOIN pg_class p ON p.oid = i.inhparent WHERE c.relkind IN ('i', 'I')"
        )
        return dict(cursor.fetchall())


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _plans(run) -> list[dict]:
    """Run `run()`, then EXPLAIN every SELECT it sent, with sequential scans disabled."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run()
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql, params in sent:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            found.append((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
    return found


def _scans(run) -> tuple[set[str], set[str]]:
    """(parent indexes used, big tables read by a sequential scan) by `run`'s reads."""
    parents = _parents()
    indexes, seq = set(), set()
    for plan in _plans(run):
        for node in _nodes(plan):
            if "Index Name" in node:
                indexes.add(parents.get(node["Index Name"], node["Index Name"]))
            if node["Node Type"] == "Seq Scan":
                table = node["Relation Name"]
                seq |= {big for big in BIG if table.startswith(big)}
    return indexes, seq


@pytest.fixture
def history():
    """A user with a week of items and feedback on some (dates in the current partitions)."""
    user = uuid.uuid4()
    today = date.today()
    task = TaskFactory()
    items = []
    for back in range(7):
        plan = PlanFactory(user_id=user, date=today - timedelta(days=back))
        block = TimeBlockFactory(plan=plan)
        items += [
            PlanItemFactory(time_block=block, position=n, task_library=task) for n in range(3)
        ]
    for item in items[::2]:
        FeedbackFactory(plan_item=item)
    # Other users' items and feedback over 60 days, so the planner has real row counts.
    copied = (
        "scheduled_time, end_time, title, description, category, priority, "
        "estimated_duration_minutes, time_of_day, variation_group, is_dynamic, plan_id, "
        "task_library_id, time_block_id, policy, propensity, slot_log"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO plan_items (id, position, user_id, scheduled_date, {copied}) "
            f"SELECT gen_random_uuid(), position * 10000 + g, md5(g::text)::uuid, "
            f"scheduled_date - g % 60, {copied} FROM plan_items, generate_series(1, 3000) g"
        )
        cursor.execute(
            "INSERT INTO user_task_feedback (id, user_id, plan_item_id, scheduled_date, "
            "category, time_of_day, completed, user_notes, skipped, skip_reason, mode_at_time, "
            "created_at, updated_at) SELECT gen_random_uuid(), user_id, id, scheduled_date, "
            "category, time_of_day, true, '', false, '', 'medium', now(), now() "
            "FROM plan_items WHERE position %% 3 = 0 AND user_id <> %s",
            [user],
        )
        cursor.execute("ANALYZE plan_items, user_task_feedback, plans")
    return user, today, items


def test_relearning_reads_both_tables_by_user_and_date(history):
    user, today, _ = history
    used, seq = _scans(lambda: outcome_histories([user], today))
    assert seq == set()
    assert "idx_plan_items_user_date" in used
    assert used & {"idx_feedback_user_date", "user_task_feedback_one_per_plan_item"}


def test_weekly_outcomes_read_by_user_and_date(history):
    user, today, _ = history
    used, seq = _scans(lambda: outcomes.week_outcomes(user, today - timedelta(days=6), today))
    assert seq == set()
    assert "idx_plan_items_user_date" in used


def test_dashboard_categories_read_a_date_window_of_everyone(history):
    _, today, _ = history
    used, seq = _scans(
        lambda: outcomes.outcomes_by_category(today - timedelta(days=7), today, today)
    )
    assert seq == set()
    assert {"idx_plan_items_sched", "idx_user_task_feedback_sched"} <= used


def test_feedback_targets_find_items_and_their_feedback_by_key(history):
    user, _, items = history
    used, seq = _scans(lambda: feedback_targets(user, [items[0].id, items[1].id]))
    assert seq == set()
    assert used & {"plan_items_pkey", "idx_plan_items_user_date"}
    assert used & {
        "user_task_feedback_one_per_plan_item",
        "user_task_feedback_plan_item_id_1a948779",
        "idx_feedback_user_date",
    }


def test_rotation_and_evaluation_by_the_items_own_date(history):
    # The shapes issue 18 moves rotation and evaluation to: the item's scheduled_date,
    # not plans.date through a join.
    user, today, _ = history
    window = {"scheduled_date__gte": today - timedelta(days=14), "scheduled_date__lt": today}

    def reads():
        list(
            PlanItem.objects.filter(
                user_id__in=[user], task_library__isnull=False, **window
            ).values_list("user_id", "task_library_id", "scheduled_date")
        )
        list(PlanItem.objects.filter(is_dynamic=True, propensity__isnull=False, **window))

    used, seq = _scans(reads)
    assert seq == set()
    # Evaluation's read has its own partial index (logged items by day, then user).
    assert {"idx_plan_items_user_date", "idx_plan_items_logged_day_user"} <= used


def test_retention_finds_old_plans_and_their_items_by_index(history):
    _, today, _ = history
    used, seq = _scans(lambda: prune_history(today + timedelta(days=400), 200, dry_run=True))
    assert seq == set()
    assert "idx_plans_date_type" in used
