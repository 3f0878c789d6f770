import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from feedback.services import Outcome, record_outcomes
from profiles.services import update_profile
from routines.models import PlanItem
from routines.services import generate_plan

FIRST_DAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
NOTE = "knee hurts after the stairs, zq7-private-note"
BYSTANDER_NOTE = "the bystander's own note"


@dataclass
class History:
    user_id: uuid.UUID
    item_ids: list[uuid.UUID]  # every item of every plan
    noted_item: uuid.UUID  # the item whose feedback carries NOTE


def make_history(user_id: uuid.UUID, days: int, note: str = NOTE) -> History:
    """A user as the API leaves them: a profile with a zone, `days` plans from FIRST_DAY,
    a completion with a note and a skip on each day but the last (so it has unanswered
    items), relearned profile and rotation state."""
    update_profile(user_id, archetype="Peak Performer", timezone_name="Europe/Berlin")
    items: list[uuid.UUID] = []
    noted = None
    for offset in range(days):
        stored = generate_plan(user_id, "Peak Performer", FIRST_DAY + timedelta(days=offset))
        items += [item.id for item in stored.items]
        if offset == days - 1:
            continue
        done, skipped = stored.items[0], stored.items[1]
        record_outcomes(
            user_id,
            [
                Outcome(done.id, True, user_notes=note, satisfaction_rating=4),
                Outcome(skipped.id, False, skip_reason="no_time"),
            ],
            now=NOW,
        )
        noted = noted or done.id
    return History(user_id, items, noted)


@pytest.fixture
def history(task_library) -> History:
    return make_history(uuid.uuid4(), days=3)


@pytest.fixture
def bystander(task_library) -> History:
    """Another user, whose data must come through every erasure untouched."""
    return make_history(uuid.uuid4(), days=2, note=BYSTANDER_NOTE)


def db_uuid(value: uuid.UUID):
    return PlanItem._meta.get_field("user_id").get_db_prep_value(value, connection)


def later_tables():
    """Tables another room might add after this code: one with a user_id, one keyed by a
    plan item only (a propensity log), created here in raw SQL with no model at all."""
    uuid_type = connection.data_types["UUIDField"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE later_user_facts (id integer PRIMARY KEY, user_id {uuid_type}, "
            "fact text)"
        )
        cursor.execute(
            f"CREATE TABLE later_item_log (id integer PRIMARY KEY, plan_item_id {uuid_type}, "
            "propensity real)"
        )


def fill_later_tables(history, n):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO later_user_facts VALUES (%s, %s, %s)",
            [n, db_uuid(history.user_id), "first completion"],
        )
        cursor.execute(
            "INSERT INTO later_item_log VALUES (%s, %s, %s)",
            [n, db_uuid(history.item_ids[0]), 0.5],
        )
