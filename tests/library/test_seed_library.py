"""`make run` seeds with seed_library: shipped tasks are added, editors' edits stand."""

import json

import pytest
from django.core.management import CommandError, call_command

from library.models import Task
from library.seeding import SHIPPED_LIBRARY

pytestmark = pytest.mark.django_db
SHIPPED = json.loads(SHIPPED_LIBRARY.read_text())


def seed(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("seed_library", *args, stdout=out)
    return out.getvalue()


def test_an_empty_library_gets_every_shipped_task():
    output = seed()
    assert Task.objects.count() == len(SHIPPED)
    assert f"{len(SHIPPED)} shipped task(s) added, 0 already present" in output


def test_seeding_again_keeps_an_editors_fit_change_and_deactivation():
    seed()
    task = Task.objects.get(name="Sunset Walk")
    task.archetype_fit = {**task.archetype_fit, "Peak Performer": 0.85}
    task.is_active = False
    task.save()

    output = seed()

    task.refresh_from_db()
    assert task.archetype_fit["Peak Performer"] == 0.85
    assert task.is_active is False
    assert f"0 shipped task(s) added, {len(SHIPPED)} already present" in output


def test_loaddata_is_the_deliberate_reset_that_overwrites():
    seed()
    Task.objects.filter(name="Sunset Walk").update(is_active=False)
    call_command("loaddata", "task_library", verbosity=0)
    assert Task.objects.get(name="Sunset Walk").is_active is True


def test_missing_shipped_tasks_are_added_and_other_tasks_left_alone(tmp_path):
    seed()
    removed = Task.objects.filter(name__in=["Sunset Walk", "Legs Up the Wall"])
    assert removed.delete()[0] == 2
    Task.objects.filter(name="Morning Lemon Water").update(name="Lemon Water (edited)")

    output = seed()

    assert Task.objects.filter(name__in=["Sunset Walk", "Legs Up the Wall"]).count() == 2
    assert Task.objects.filter(name="Lemon Water (edited)").exists()
    assert not Task.objects.filter(name="Morning Lemon Water").exists()
    assert "2 shipped task(s) added" in output


def test_an_own_fixture_can_be_seeded(tmp_path):
    fixture = tmp_path / "two.json"
    fixture.write_text(json.dumps(SHIPPED[:2]))
    seed("--fixture", str(fixture))
    assert Task.objects.count() == 2


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "cannot read"),
        ("{not json", "is not a task fixture"),
        ('[{"model": "auth.group", "pk": 1, "fields": {"name": "x"}}]', "other models"),
    ],
)
def test_a_bad_fixture_is_a_usage_error_and_writes_nothing(tmp_path, content, message):
    fixture = tmp_path / "library.json"
    if content is not None:
        fixture.write_text(content)
    with pytest.raises(CommandError, match=message) as caught:
        seed("--fixture", str(fixture))
    assert caught.value.returncode == 2
    assert Task.objects.count() == 0


def test_an_invalid_task_in_the_fixture_rolls_back_the_whole_seed(tmp_path):
    rows = json.loads(json.dumps(SHIPPED[:3]))
    rows[2]["fields"]["archetype_fit"]["Peak Performer"] = 1.5
    fixture = tmp_path / "library.json"
    fixture.write_text(json.dumps(rows))
    with pytest.raises(CommandError, match="invalid task"):
        seed("--fixture", str(fixture))
    assert Task.objects.count() == 0
