import json
import re
import uuid
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext, isolate_apps

from feedback.outcomes import item_outcomes
from privacy import export
from privacy.explanations import PROFILE_FIELDS
from privacy.export import export_chunks
from profiles.models import UserPreferenceProfile
from tests.factories import FeedbackFactory, PlanFactory, PlanItemFactory, TimeBlockFactory

from .conftest import NOTE, NOW, fill_later_tables, later_tables

pytestmark = pytest.mark.django_db


def document(user_id, now=NOW) -> dict:
    return json.loads("".join(export_chunks(user_id, now=now)))


def test_the_document_holds_everything_about_the_user(history, bystander):
    doc = document(history.user_id)
    assert doc["user_id"] == str(history.user_id)
    assert doc["profile"]["timezone"] == "Europe/Berlin"
    assert doc["profile"]["total_tasks_completed"] == 2
    assert set(doc["profile_explained"]) == set(doc["profile"])
    assert [p["date"] for p in doc["plans"]] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    items = [item for plan in doc["plans"] for item in plan["items"]]
    assert sorted(i["id"] for i in items) == sorted(str(i) for i in history.item_ids)
    assert all(len(plan["time_blocks"]) == 5 for plan in doc["plans"])
    notes = [row["user_notes"] for row in doc["feedback"]]
    assert notes.count(NOTE) == 2 and len(doc["feedback"]) == 4
    assert {row["user_id"] for row in doc["feedback"]} == {str(history.user_id)}
    assert doc["rotation_state"] and all(
        r["user_id"] == str(history.user_id) for r in doc["rotation_state"]
    )
    # The folded lifetime totals (feedback/totals.py) and the holdout's active days
    # (feedback/holdout_days.py) are the user's too: exported as found, by their user_id.
    assert set(doc["other_tables"]) == {
        "user_outcome_totals",
        "user_task_firsts",
        "holdout_user_days",
    }
    assert [row["user_id"] for row in doc["other_tables"]["user_outcome_totals"]] == [
        str(history.user_id)
    ]
    assert "bystander" not in json.dumps(doc)


def test_each_item_carries_its_outcome_from_the_outcome_model(history):
    doc = document(history.user_id)
    by_day = {}
    for plan in doc["plans"]:
        for item in plan["items"]:
            by_day.setdefault(item["scheduled_date"], []).append(item["outcome"])
    first = by_day["2026-11-23"]
    assert first.count("completed") == 1 and first.count("skipped") == 1
    assert first.count("unanswered") == len(first) - 2
    # The last plan got no feedback: its day passed unseen (NOW is 2026-11-27).
    assert set(by_day["2026-11-25"]) == {"unexposed"}


def test_every_profile_field_is_explained():
    fields = {f.name for f in UserPreferenceProfile._meta.concrete_fields}
    assert set(PROFILE_FIELDS) == fields
    assert all(len(text) > 20 for text in PROFILE_FIELDS.values())


def test_an_unknown_user_gets_empty_sections(db):
    doc = document(uuid.uuid4())
    assert doc["profile"] is None
    assert doc["plans"] == doc["feedback"] == doc["rotation_state"] == []


def many_days(user_id: uuid.UUID, days: int, start: date) -> None:
    """`days` plans of two items, the first completed: cheap factory rows, no planner."""
    for offset in range(days):
        plan = PlanFactory(user_id=user_id, date=start + timedelta(days=offset))
        block = TimeBlockFactory(plan=plan, position=0)
        first = PlanItemFactory(time_block=block, position=0)
        PlanItemFactory(time_block=block, position=1)
        FeedbackFactory(plan_item=first, user_notes=f"day {offset}")


def test_a_long_history_is_read_in_bounded_pages(db, monkeypatch):
    """Memory stays flat: every read is one page (LIMIT), and the number of reads grows
    with the pages, not the rows. 70 days = 3 plan pages of at most 28; 70 feedback rows
    at 30 a page = 3 pages."""
    monkeypatch.setattr(export, "ROWS_PER_PAGE", 30)
    user = uuid.uuid4()
    many_days(user, 70, date(2026, 9, 1))
    with CaptureQueriesContext(connection) as ctx:
        doc = json.loads("".join(export_chunks(user, now=NOW)))
    assert len(doc["plans"]) == 70 and len(doc["feedback"]) == 70
    sqls = [q["sql"] for q in ctx.captured_queries]
    plan_reads = [s for s in sqls if re.search(r'FROM "plans"\s+WHERE', s)]
    feedback_reads = [s for s in sqls if s.startswith('SELECT "user_task_feedback"')]
    assert len(plan_reads) == 3 and all("LIMIT 28" in s for s in plan_reads)
    assert len(feedback_reads) == 3 and all("LIMIT 30" in s for s in feedback_reads)
    item_reads = [s for s in sqls if s.startswith('SELECT "plan_items"')]
    assert len(item_reads) == 3
    # Profile, rotation, the other tables' introspection; per plan page: plans, blocks,
    # items, outcomes; per feedback page one read.
    # + one page each of the other tables: the folded totals' two, the holdout's days
    assert len(sqls) == 3 + 3 * 4 + 3 * 1 + 3


def test_paged_outcomes_are_the_unpaged_ones(db):
    user = uuid.uuid4()
    many_days(user, 40, date(2026, 10, 1))
    doc = document(user)
    paged = {i["id"]: i["outcome"] for p in doc["plans"] for i in p["items"]}
    whole = {
        str(o.item_id): o.group.state for o in item_outcomes([user], date(2026, 1, 1), NOW.date())
    }
    assert {k: v for k, v in paged.items() if k in whole} == whole
    assert set(paged.values()) == {"completed", "unanswered"}


def test_the_command_writes_the_same_document(history, tmp_path, monkeypatch):
    monkeypatch.setattr(export.timezone, "now", lambda: NOW)
    target = tmp_path / "export.json"
    call_command(
        "export_user_data", str(history.user_id), "--output", str(target), stderr=StringIO()
    )
    assert json.loads(target.read_text()) == document(history.user_id)


def test_the_command_never_overwrites_a_file(history, tmp_path):
    target = tmp_path / "export.json"
    target.write_text("someone else's export")
    with pytest.raises(CommandError, match="--output: cannot write"):
        call_command("export_user_data", str(history.user_id), "--output", str(target))
    assert target.read_text() == "someone else's export"


def test_the_command_refuses_a_malformed_id(db, tmp_path):
    with pytest.raises(CommandError, match="user_id must be a UUID"):
        call_command("export_user_data", "42", "--output", str(tmp_path / "x.json"))


def test_feedback_pages_split_within_a_day_lose_and_repeat_nothing(db, monkeypatch):
    monkeypatch.setattr(export, "ROWS_PER_PAGE", 3)
    user = uuid.uuid4()
    plan = PlanFactory(user_id=user, date=date(2026, 11, 2))
    block = TimeBlockFactory(plan=plan, position=0)
    rows = [FeedbackFactory(plan_item=PlanItemFactory(time_block=block)) for _ in range(7)]
    many_days(user, 2, date(2026, 11, 3))
    exported = [row["id"] for row in document(user)["feedback"]]
    assert len(exported) == 9 and len(set(exported)) == 9
    assert {str(r.id) for r in rows} <= set(exported)


def test_the_command_leaves_no_half_written_file(history, tmp_path, monkeypatch):
    def failing(user_id, now=None):
        yield '{"user_id": '
        raise RuntimeError("database went away")

    monkeypatch.setattr("privacy.management.commands.export_user_data.export_chunks", failing)
    target = tmp_path / "export.json"
    with pytest.raises(RuntimeError):
        call_command("export_user_data", str(history.user_id), "--output", str(target))
    assert not target.exists()


def test_a_later_table_with_a_model_is_exported_too(history, monkeypatch):
    """A table another room adds (here in raw SQL, with a model in an isolated registry)
    appears under other_tables with no change to the export."""
    later_tables()
    fill_later_tables(history, 7)
    with isolate_apps("privacy"):

        class LaterUserFact(models.Model):  # noqa: DJ008 - a stand-in, never shown
            user_id = models.UUIDField()
            fact = models.TextField()

            class Meta:
                app_label = "privacy"
                db_table = "later_user_facts"
                managed = False

        class LaterItemLog(models.Model):  # noqa: DJ008 - a stand-in, never shown
            plan_item_id = models.UUIDField()
            propensity = models.FloatField()

            class Meta:
                app_label = "privacy"
                db_table = "later_item_log"
                managed = False

    real = export.apps.get_models
    monkeypatch.setattr(
        export.apps, "get_models", lambda **kw: [*real(**kw), LaterUserFact, LaterItemLog]
    )
    other = document(history.user_id)["other_tables"]
    assert other["later_user_facts"] == [
        {"id": 7, "user_id": str(history.user_id), "fact": "first completion"}
    ]
    assert other["later_item_log"] == [
        {"id": 7, "plan_item_id": str(history.item_ids[0]), "propensity": 0.5}
    ]
