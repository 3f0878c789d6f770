import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from library.choices import ARCHETYPES
from library.models import Task
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _assert_rejected_by_database(**changes):
    task = TaskFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(**changes)


def test_database_rejects_fit_score_above_one():
    fit = {a: 0.5 for a in ARCHETYPES} | {"Peak Performer": 1.5}
    _assert_rejected_by_database(archetype_fit=fit)


def test_database_rejects_negative_mode_fit():
    _assert_rejected_by_database(mode_fit={"high": 0.5, "medium": -0.1, "low": 0.5})


def test_database_rejects_missing_archetype():
    fit = {a: 0.5 for a in ARCHETYPES[:-1]}
    _assert_rejected_by_database(archetype_fit=fit)


def test_database_rejects_non_numeric_fit():
    fit = {a: 0.5 for a in ARCHETYPES} | {"Peak Performer": "high"}
    _assert_rejected_by_database(archetype_fit=fit)


@pytest.mark.parametrize("minutes", [0, 241])
def test_database_rejects_duration_out_of_range(minutes):
    _assert_rejected_by_database(duration_minutes=minutes)


@pytest.mark.parametrize(
    "field,value",
    [("category", "sleeping"), ("difficulty", "expert"), ("time_of_day_preference", "night")],
)
def test_database_rejects_unknown_choices(field, value):
    _assert_rejected_by_database(**{field: value})


def test_database_accepts_valid_task():
    task = TaskFactory(archetype_fit={a: 1.0 for a in ARCHETYPES})
    assert Task.objects.get(pk=task.pk).archetype_fit["Peak Performer"] == 1.0


def test_clean_names_each_problem_field():
    task = TaskFactory.build(
        archetype_fit={a: 0.5 for a in ARCHETYPES[:-1]} | {"Peak Performer": 1.5},
        mode_fit={"high": 0.5, "medium": 0.5},
        duration_minutes=0,
        tags="quick",
    )
    with pytest.raises(ValidationError) as raised:
        task.full_clean()
    errors = raised.value.message_dict
    assert any("Connected Explorer" in m for m in errors["archetype_fit"])
    assert any("1.5" in m for m in errors["archetype_fit"])
    assert any("low" in m for m in errors["mode_fit"])
    assert "duration_minutes" in errors
    assert "tags" in errors


def test_clean_rejects_unknown_archetype_key():
    task = TaskFactory.build(archetype_fit={a: 0.5 for a in ARCHETYPES} | {"Night Owl": 0.4})
    with pytest.raises(ValidationError) as raised:
        task.full_clean()
    assert "Night Owl" in " ".join(raised.value.message_dict["archetype_fit"])


def test_clean_rejects_unknown_category():
    task = TaskFactory.build(category="sleeping")
    with pytest.raises(ValidationError) as raised:
        task.full_clean()
    assert "category" in raised.value.message_dict
