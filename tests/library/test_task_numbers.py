"""Task numbers name tasks in logged slots: unique, and never changed once given."""

import json
import uuid

from django.core.management import call_command

from library.models import FIRST_EDITOR_NUMBER, Task
from library.seeding import SHIPPED_LIBRARY, seed_library
from library.services import duplicate_as_variation
from tests.factories import TaskFactory


def _shipped() -> dict[str, int]:
    rows = json.loads(SHIPPED_LIBRARY.read_text())
    return {row["pk"]: row["fields"]["number"] for row in rows}


def test_the_fixture_numbers_every_task_once_below_the_editor_range():
    numbers = list(_shipped().values())
    assert len(set(numbers)) == len(numbers)
    assert min(numbers) > 0 and max(numbers) < FIRST_EDITOR_NUMBER


def test_seeding_and_loaddata_keep_the_fixture_numbers(db):
    seed_library()
    assert {str(pk): n for pk, n in Task.objects.values_list("pk", "number")} == _shipped()
    Task.objects.update(name="edited")
    call_command("loaddata", "task_library", verbosity=0)
    assert {str(pk): n for pk, n in Task.objects.values_list("pk", "number")} == _shipped()


def test_tasks_editors_create_get_new_numbers_in_their_own_range(db):
    seed_library()
    first = TaskFactory()
    second = TaskFactory()
    assert first.number == FIRST_EDITOR_NUMBER and second.number == FIRST_EDITOR_NUMBER + 1
    second.name = "renamed"
    second.save()
    second.refresh_from_db()
    assert second.number == FIRST_EDITOR_NUMBER + 1  # a save never renumbers
    copies = duplicate_as_variation([first, second])
    assert [c.number for c in copies] == [FIRST_EDITOR_NUMBER + 2, FIRST_EDITOR_NUMBER + 3]
    assert Task.objects.filter(pk=uuid.UUID(str(copies[0].pk))).get().number == copies[0].number
