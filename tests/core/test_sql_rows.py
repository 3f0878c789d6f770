"""Hand-written SQL must read and write exactly what the ORM would, on both backends."""

import uuid
from datetime import UTC, date, datetime, time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import sql_rows
from feedback.history import outcome_history
from feedback.models import UserTaskFeedback
from profiles.models import UserPreferenceProfile
from tests.factories import FeedbackFactory, PlanItemFactory, ProfileFactory

pytestmark = pytest.mark.django_db

FIELDS = [f.name for f in UserTaskFeedback._meta.concrete_fields]


def _select_feedback(pk) -> tuple:
    sql = (
        f"SELECT {sql_rows.columns(UserTaskFeedback, 'f', FIELDS)} "
        "FROM user_task_feedback f WHERE f.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [sql_rows.param(UserTaskFeedback, "id", pk)])
        return cursor.fetchone()


def test_instance_gives_the_values_a_queryset_gives():
    stored = FeedbackFactory(
        completed_at=datetime(2026, 11, 24, 6, 41, 7, 512000, tzinfo=UTC),
        completed_early_minutes=-11,
        satisfaction_rating=4,
        user_notes="Zoë ✓",
    )
    loaded = sql_rows.instance(UserTaskFeedback, FIELDS, _select_feedback(stored.pk))
    expected = UserTaskFeedback.objects.get(pk=stored.pk)
    for field in UserTaskFeedback._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(loaded.id, uuid.UUID)
    assert loaded.completed is True and loaded.skipped is False
    assert loaded.completed_at.tzinfo is not None
    assert loaded._state.adding is False and loaded._state.db == "default"


def test_fields_not_selected_are_deferred_and_load_on_access():
    profile = ProfileFactory(timezone="Europe/Berlin", subcategory_affinity={"water": 0.7})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT user_id, timezone FROM user_preference_profile WHERE user_id = %s",
            [sql_rows.param(UserPreferenceProfile, "user_id", profile.user_id)],
        )
        row = cursor.fetchone()
    loaded = sql_rows.instance(UserPreferenceProfile, ["user_id", "timezone"], row)
    assert loaded.user_id == profile.user_id and loaded.timezone == "Europe/Berlin"
    assert loaded.get_deferred_fields() >= {"subcategory_affinity", "archetype"}
    assert loaded.subcategory_affinity == {"water": 0.7}


def test_insert_writes_every_column_and_stamps_auto_fields():
    item = PlanItemFactory()
    rows = [
        UserTaskFeedback(
            user_id=item.user_id,
            plan_item=item,
            scheduled_date=date(2026, 11, 24),
            scheduled_time=time(6, 30),
            category="hydration",
            time_of_day="morning",
            completed=True,
            completed_at=datetime(2026, 11, 24, 6, 40, tzinfo=UTC),
            user_notes="'); DROP TABLE user_task_feedback; --",
        ),
        UserTaskFeedback(user_id=item.user_id, scheduled_date=date(2026, 11, 25), skipped=True),
    ]
    sql_rows.insert(rows)
    assert all(row._state.adding is False for row in rows)
    stored = UserTaskFeedback.objects.get(pk=rows[0].pk)
    assert stored.plan_item_id == item.pk
    assert stored.user_notes == "'); DROP TABLE user_task_feedback; --"
    assert stored.completed_at == datetime(2026, 11, 24, 6, 40, tzinfo=UTC)
    assert stored.created_at is not None and stored.updated_at is not None
    assert UserTaskFeedback.objects.get(pk=rows[1].pk).skipped is True


def test_update_writes_only_the_named_fields_including_json():
    profile = ProfileFactory(current_streak=1, longest_streak=2)
    before = UserPreferenceProfile.objects.get(pk=profile.pk).updated_at
    profile.current_streak = 5
    profile.longest_streak = 9  # changed in memory but not named: must not be written
    profile.evidence = {"overall": [3, 4], "arm": {"hydration/water": [1, 2]}}
    sql_rows.update(profile, ["current_streak", "evidence", "updated_at"])
    stored = UserPreferenceProfile.objects.get(pk=profile.pk)
    assert stored.current_streak == 5
    assert stored.longest_streak == 2
    assert stored.evidence == {"overall": [3, 4], "arm": {"hydration/water": [1, 2]}}
    assert stored.updated_at >= before


def test_update_many_writes_each_row_in_one_logged_statement():
    profiles = [ProfileFactory(current_streak=1, longest_streak=2) for _ in range(3)]
    for n, profile in enumerate(profiles):
        profile.current_streak = 10 + n
        profile.longest_streak = 99  # not named: must not be written
        profile.evidence = {"overall": [n, 4.5]}
    with CaptureQueriesContext(connection) as ctx:
        sql_rows.update_many(profiles, ["current_streak", "evidence", "updated_at"])
    assert len(ctx.captured_queries) == 1
    for n, profile in enumerate(profiles):
        stored = UserPreferenceProfile.objects.get(pk=profile.pk)
        assert (stored.current_streak, stored.longest_streak) == (10 + n, 2)
        assert stored.evidence == {"overall": [n, 4.5]}
    sql_rows.update_many([], ["current_streak"])  # nothing to do, no statement


def test_statements_are_logged_and_fail_with_djangos_exceptions():
    stored = FeedbackFactory()
    fresh = UserTaskFeedback(user_id=stored.user_id, scheduled_date=date(2026, 11, 24))
    with CaptureQueriesContext(connection) as queries:
        sql_rows.insert([fresh])
    [logged] = queries.captured_queries
    assert logged["sql"].startswith('INSERT INTO "user_task_feedback"')
    duplicate = UserTaskFeedback(
        id=stored.id, user_id=stored.user_id, scheduled_date=fresh.scheduled_date
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        sql_rows.insert([duplicate])
    assert duplicate._state.adding is True  # not marked saved


@pytest.mark.postgres
def test_postgresql_prepares_the_hand_written_statements():
    """Server-side binding plus psycopg's prepare: the planner runs once per connection."""
    user = FeedbackFactory().user_id
    for _ in range(3):
        outcome_history(user, date(2026, 11, 11))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%UNION ALL%FROM user_outcome_totals tt WHERE tt.user_id IN%"],
        )
        assert cursor.fetchone()[0] == 1  # the relearning read, prepared once


@pytest.mark.postgres
def test_orm_queries_stay_out_of_the_prepare_cache():
    """Preparing is on for our statements only; the connection's threshold stays off."""
    user = FeedbackFactory().user_id
    outcome_history(user, date(2026, 11, 11))
    assert connection.connection.prepare_threshold is None
    assert UserTaskFeedback.objects.filter(user_id=user).count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("enabled", [True, False])
def test_prepared_statements_can_be_switched_off(settings, enabled):
    settings.DATABASE_PREPARED_STATEMENTS = enabled
    marker = f"SELECT %s AS switch_test_{enabled}"
    with sql_rows.cursor() as cursor:
        cursor.execute(marker, [1])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            [f"%switch_test_{enabled}%"],
        )
        assert cursor.fetchone()[0] == (1 if enabled else 0)
