"""Erasure: nothing of the user left in any table, found by introspection independently of
privacy.tables (Django's own introspection API here, one vendor query there)."""

import hashlib
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy import services
from privacy.models import ErasureRecord
from privacy.services import erase_user, erasure_preview, subject_hash, was_erased
from privacy.tables import UserTable
from routines.models import Plan, PlanItem, TimeBlock

from .conftest import (
    BYSTANDER_NOTE,
    NOTE,
    db_uuid,
    fill_later_tables,
    later_tables,
    make_history,
)

pytestmark = pytest.mark.django_db

REFERENCES = ("plan_id", "time_block_id", "plan_item_id")


def all_tables() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return {
            table: [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for table in tables
        }


def count(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def traces(user_id: uuid.UUID, note: str, plan_ids, block_ids, item_ids) -> dict[str, int]:
    """Per table: rows holding the user's id, pointing at their plans, blocks or items, or
    whose any column contains their id (either spelling) or their note."""
    quote = connection.ops.quote_name
    found = {}
    texts = [note, str(user_id), user_id.hex]
    for table, columns in all_tables().items():
        n = 0
        if "user_id" in columns and "auth_user" not in table and table != "django_admin_log":
            sql = f"SELECT COUNT(*) FROM {quote(table)} WHERE user_id = %s"
            n += count(sql, [db_uuid(user_id)])
        for column, ids in zip(REFERENCES, (plan_ids, block_ids, item_ids), strict=True):
            if column in columns and ids:
                marks = ", ".join(["%s"] * len(ids))
                sql = f"SELECT COUNT(*) FROM {quote(table)} WHERE {quote(column)} IN ({marks})"
                n += count(sql, [db_uuid(i) for i in ids])
        like = " OR ".join(f"CAST({quote(c)} AS TEXT) LIKE %s" for c in columns for _ in texts)
        params = [f"%{text}%" for _ in columns for text in texts]
        n += count(f"SELECT COUNT(*) FROM {quote(table)} WHERE {like}", params)
        if n:
            found[table] = n
    return found


def ids_of(user_id):
    plans = list(Plan.objects.filter(user_id=user_id).values_list("id", flat=True))
    blocks = list(TimeBlock.objects.filter(plan_id__in=plans).values_list("id", flat=True))
    items = list(PlanItem.objects.filter(user_id=user_id).values_list("id", flat=True))
    return plans, blocks, items


def test_nothing_of_the_user_remains_in_any_table(history, bystander):
    later_tables()
    fill_later_tables(history, 1)
    fill_later_tables(bystander, 2)
    mine = ids_of(history.user_id)
    before = traces(history.user_id, NOTE, *mine)
    # The test sees the user everywhere it should, or it could not fail.
    assert {"user_preference_profile", "plans", "time_blocks", "plan_items"} <= set(before)
    assert {"user_task_feedback", "task_rotation_state"} <= set(before)
    assert {"later_user_facts", "later_item_log"} <= set(before)
    theirs = ids_of(bystander.user_id)
    bystander_before = traces(bystander.user_id, BYSTANDER_NOTE, *theirs)

    erasure = erase_user(history.user_id)

    assert traces(history.user_id, NOTE, *mine) == {}
    assert erasure.rows["later_user_facts"] == 1 and erasure.rows["later_item_log"] == 1
    assert traces(bystander.user_id, BYSTANDER_NOTE, *theirs) == bystander_before


def test_the_erasure_is_recorded_under_a_keyed_hash_only(history, settings):
    erase_user(history.user_id)
    record = was_erased(history.user_id)
    assert record is not None and record.first_erased_at == record.last_erased_at
    assert record.subject_hash != hashlib.sha256(str(history.user_id).encode()).hexdigest()
    assert str(history.user_id) not in str(ErasureRecord.objects.values().get())
    settings.PRIVACY_ERASURE_SALT = "another secret"
    assert was_erased(history.user_id) is None  # without the secret it cannot be found


def test_a_second_erasure_deletes_nothing_and_keeps_one_record(history):
    first = erase_user(history.user_id)
    second = erase_user(history.user_id)
    assert first.total > 0 and second.total == 0
    record = ErasureRecord.objects.get()
    assert record.last_erased_at > record.first_erased_at


def test_a_failing_table_rolls_the_whole_erasure_back(history, monkeypatch):
    before = erasure_preview(history.user_id).rows
    real = services.user_tables

    def with_a_broken_table():
        tables = real()
        return [*tables[:2], UserTable("no_such_table", (("user_id", None),))]

    monkeypatch.setattr(services, "user_tables", with_a_broken_table)
    with pytest.raises(Exception, match="no_such_table"):
        erase_user(history.user_id)
    monkeypatch.undo()
    assert erasure_preview(history.user_id).rows == before
    assert before["plans"] == 3 and before["user_task_feedback"] == 4
    assert not ErasureRecord.objects.exists()


def test_erasure_costs_the_same_queries_whatever_the_history(task_library):
    small = make_history(uuid.uuid4(), days=1)
    large = make_history(uuid.uuid4(), days=4)
    counts = []
    for user in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            erase_user(user.user_id)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_dry_run_lists_each_table_and_writes_nothing(history):
    before = erasure_preview(history.user_id).rows
    out = StringIO()
    call_command("erase_user", str(history.user_id), "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"user_task_feedback: {before['user_task_feedback']}" in text
    assert f"plans: {before['plans']}" in text
    assert f"dry run: would delete {sum(before.values())} rows" in text
    assert erasure_preview(history.user_id).rows == before
    assert before["plans"] == 3
    assert not ErasureRecord.objects.exists()


def test_the_command_erases(history):
    out = StringIO()
    call_command("erase_user", str(history.user_id), stdout=out)
    assert "deleted" in out.getvalue()
    assert erasure_preview(history.user_id).total == 0
    assert was_erased(history.user_id) is not None


def test_the_command_refuses_a_malformed_id(db):
    with pytest.raises(CommandError, match="user_id must be a UUID"):
        call_command("erase_user", "not-a-uuid")


def test_staff_tables_are_not_mistaken_for_user_tables(db):
    tables = {t.table for t in services.user_tables()}
    assert "django_admin_log" not in tables and "auth_user_groups" not in tables
    assert subject_hash(uuid.uuid4()) != subject_hash(uuid.uuid4())
