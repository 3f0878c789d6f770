import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from library.choices import ARCHETYPES, CATEGORIES, MODES, Difficulty, TimeOfDay
from library.models import Task

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "task_library.json"
ROWS = json.loads(FIXTURE.read_text())
TASKS = [row["fields"] for row in ROWS]


def test_fixture_has_enough_active_tasks_per_category():
    active = [t for t in TASKS if t["is_active"]]
    assert len(active) >= 60
    per_category = Counter(t["category"] for t in active)
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 6


def test_every_variation_group_has_three_variants():
    per_group = Counter(t["variation_group"] for t in TASKS)
    assert min(per_group.values()) >= 3


def test_all_difficulties_and_times_of_day_are_represented():
    assert {t["difficulty"] for t in TASKS} == set(Difficulty.values)
    assert {t["time_of_day_preference"] for t in TASKS} == set(TimeOfDay.values)


def test_fit_scores_are_complete_and_in_range():
    for task in TASKS:
        assert set(task["archetype_fit"]) == set(ARCHETYPES), task["name"]
        assert set(task["mode_fit"]) == set(MODES), task["name"]
        for score in [*task["archetype_fit"].values(), *task["mode_fit"].values()]:
            assert 0.0 <= score <= 1.0, task["name"]


def test_fit_scores_are_differentiated():
    for task in TASKS:
        assert len(set(task["archetype_fit"].values())) > 1, task["name"]
    # A task for low-energy days really scores high on low, and the reverse.
    by_name = {t["name"]: t for t in TASKS}
    assert by_name["Legs Up the Wall"]["mode_fit"]["low"] >= 0.9
    assert by_name["Full-Body Strength Session"]["mode_fit"]["low"] <= 0.2
    advanced = [t for t in TASKS if t["difficulty"] == "advanced"]
    assert all(t["mode_fit"]["high"] > t["mode_fit"]["low"] for t in advanced)


def test_spec_examples_are_included():
    names = {t["name"] for t in TASKS}
    assert {
        "Morning Lemon Water",
        "Green Tea Morning Ritual",
        "Neighborhood Morning Walk",
        "Gentle Morning Yoga Flow",
        "Quick Bodyweight Circuit",
    } <= names


def test_primary_keys_are_fixed_and_unique():
    keys = [row["pk"] for row in ROWS]
    assert all(keys) and len(set(keys)) == len(keys)


@pytest.mark.django_db
def test_every_fixture_task_passes_model_validation(task_library):
    for task in Task.objects.all():
        task.full_clean()


@pytest.mark.django_db
def test_loaddata_twice_changes_nothing(task_library):
    before = {t.pk: (t.name, t.archetype_fit, t.updated_at) for t in Task.objects.all()}
    call_command("loaddata", "task_library", verbosity=0)
    after = {t.pk: (t.name, t.archetype_fit, t.updated_at) for t in Task.objects.all()}
    assert before == after
    assert len(after) == len(ROWS)


def test_planning_tasks_belong_to_the_morning():
    """Planning the day in the evening block (at 7 PM) made no sense to editors."""
    by_name = {t["name"]: t for t in TASKS}
    for name in ("Plan Your Top Three", "Time-Block Your Afternoon"):
        assert by_name[name]["time_of_day_preference"] == "morning", name
