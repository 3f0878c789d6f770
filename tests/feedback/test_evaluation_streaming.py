"""evaluate_policy streams the logs in chunks of users and gives the same estimates.

The estimates must not depend on how the logs are read: in one chunk or many (key ranges
of user ids, halved when too full), in one process or in slices merged afterwards, from
per-user totals or from the list of every event.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from feedback import offpolicy
from feedback.evaluation import logged_events, stream_events
from feedback.evaluation_shards import id_ranges, shard_totals
from feedback.logged_slots import _FIELDS, ID_SPACE, _in_range, _logged, logged_chunks
from feedback.services import evaluate_policy
from routines.models import PlanItem
from tests.feedback.test_policy_evaluation import DAY, live

pytestmark = pytest.mark.django_db
UNTIL = DAY + timedelta(days=2)


@pytest.fixture
def logs(task_library, settings):
    """Three days of logged plans and outcomes for five users, both policies logging."""
    users = [uuid.uuid4() for _ in range(5)]
    live(users[:3], 3, settings, policy="static")
    live(users[3:], 3, settings, policy="adaptive")
    return users


def _values(evaluation: offpolicy.Evaluation) -> list[float]:
    return [v for e in evaluation.estimates for v in (e.value, e.low, e.high)]


@pytest.mark.parametrize("candidate", ["adaptive", "static"])
def test_small_chunks_give_the_same_events_as_one(logs, candidate):
    whole = list(stream_events(candidate, DAY, UNTIL))
    # 20 rows a chunk: a user's three days are 45 slots, so ranges are halved down to one
    # user each and a user alone over the limit is still read whole.
    chunked = list(stream_events(candidate, DAY, UNTIL, max_rows=20))
    assert len(whole) == len(chunked) > 0
    assert chunked == whole


def test_chunks_hold_whole_users_within_the_limit(logs):
    chunks = list(logged_chunks(DAY, UNTIL, max_rows=100))
    users = [{slot.user_id for slot in chunk} for chunk in chunks]
    assert len(chunks) > 1 and all(len(chunk) <= 100 for chunk in chunks)
    assert sum(len(u) for u in users) == len(set().union(*users)) == 5
    for chunk in chunks:
        keys = [(s.user_id, s.day, s.position) for s in chunk]
        assert keys == sorted(keys)


def test_per_user_totals_give_the_estimates_of_every_event(logs):
    events, _ = logged_events("adaptive", DAY, UNTIL)
    from_events = offpolicy.evaluate(events, bootstrap=200, seed=3)
    streamed, _ = evaluate_policy("adaptive", DAY, UNTIL, bootstrap=200, seed=3, save=False)
    assert streamed.events == from_events.events and streamed.users == from_events.users
    assert _values(streamed) == pytest.approx(_values(from_events), rel=1e-12)
    assert streamed.effective_sample_size == pytest.approx(from_events.effective_sample_size)


def test_slices_of_the_id_space_merge_into_the_whole(logs):
    whole, policies = shard_totals("adaptive", DAY, UNTIL, None, (0, ID_SPACE))
    merged, seen = offpolicy.Totals(), set()
    for id_range in id_ranges(3):
        share, share_policies = shard_totals("adaptive", DAY, UNTIL, None, id_range)
        merged.merge(share)
        seen |= share_policies
    assert seen == policies == {"static-v1", "adaptive-v3"}
    assert _values(merged.evaluate(200)) == pytest.approx(_values(whole.evaluate(200)), rel=1e-12)
    with pytest.raises(ValueError):
        merged.merge(whole)


def test_queries_do_not_grow_with_users(task_library, settings, django_assert_num_queries):
    live([uuid.uuid4()], 2, settings)
    # The library, the count, then per chunk: its items, their plans, its users' outcomes.
    with django_assert_num_queries(5):
        one = list(stream_events("adaptive", DAY, UNTIL))
    live([uuid.uuid4() for _ in range(4)], 2, settings)
    with django_assert_num_queries(5):
        five = list(stream_events("adaptive", DAY, UNTIL))
    assert len(five) > len(one) > 0


# Migrations cannot run inside the test's transaction on SQLite.
@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_logs_without_changing_the_estimate(logs):
    """Back to JSON slot propensities and forward again through routines 0004."""
    before, _ = evaluate_policy("adaptive", DAY, UNTIL, bootstrap=200, save=False)
    executor = MigrationExecutor(connection)
    executor.migrate([("routines", "0003_plan_items_scheduled_date_index")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT slot_propensities FROM plan_items WHERE propensity IS NOT NULL")
        assert all(row[0] for row in cursor.fetchall())
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    after, _ = evaluate_policy("adaptive", DAY, UNTIL, bootstrap=200, save=False)
    assert after.events == before.events > 0
    assert _values(after) == pytest.approx(_values(before), rel=1e-6)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_a_chunk_reads_its_users_days_through_the_logged_day_index(logs):
    """With months of older logged items per user and many more users on the same days, a
    chunk's read takes only the period's days of its user range: the logged-day index,
    not every user's days (idx_plan_items_sched) or the user's history (user_date)."""
    columns = [f.column for f in PlanItem._meta.concrete_fields]
    history = {"id": "gen_random_uuid()", "position": "position + 100 * g"}
    history["scheduled_date"] = "scheduled_date - 3 - g"
    crowd = {"id": "gen_random_uuid()", "position": "position + 100 * (150 + g)"}
    crowd["user_id"] = "gen_random_uuid()"
    with connection.cursor() as cursor:
        for copy in (history, crowd):
            select = ", ".join(copy.get(c, c) for c in columns)
            cursor.execute(
                f"INSERT INTO plan_items ({', '.join(columns)}) SELECT {select}"
                " FROM plan_items, generate_series(1, 150) g WHERE position < 15"
            )
        cursor.execute("ANALYZE plan_items")
    first = min(logs).int  # a chunk of one user of the five
    items = _in_range(_logged(DAY, UNTIL, None), first, first + 1)
    sql, params = items.values_list(*_FIELDS).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "idx_plan_items_logged_day_user" in plan, plan
    assert "scheduled_date = ANY" in plan and "plans" not in plan, plan
