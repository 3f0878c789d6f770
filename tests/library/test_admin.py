import csv
import io
import json
import uuid
from datetime import date

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.urls import reverse

from library.models import Task
from routines.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = User.objects.create_superuser("editor", "editor@example.com", "pw-editor-123")
    client.force_login(user)
    return client


def form_data(task: Task, **overrides) -> dict:
    from library.forms import ARCHETYPE_FIELDS, MODE_FIELDS

    data = {
        "name": task.name,
        "description": task.description,
        "category": task.category,
        "subcategory": task.subcategory,
        "variation_group": task.variation_group,
        "difficulty": task.difficulty,
        "duration_minutes": task.duration_minutes,
        "time_of_day_preference": task.time_of_day_preference,
        "is_active": "on",
        "tags_text": ", ".join(task.tags),
        "equipment_text": ", ".join(task.equipment_needed),
    }
    data |= {name: task.archetype_fit[a] for name, a in ARCHETYPE_FIELDS.items()}
    data |= {name: task.mode_fit[m] for name, m in MODE_FIELDS.items()}
    return data | overrides


def test_change_list_shows_columns_filters_and_compact_fits(editor, task_library):
    response = editor.get(reverse("admin:library_task_changelist") + "?category=movement")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Neighborhood Morning Walk" in text and "Morning Lemon Water" not in text
    assert "<abbr>PP</abbr>0.60" in text  # compact archetype fits
    for filter_title in ("subcategory", "variation group", "difficulty", "is active"):
        assert f"By {filter_title}" in text
    search = editor.get(reverse("admin:library_task_changelist") + "?q=sunlight")
    assert "Neighborhood Morning Walk" in search.content.decode()  # tag search


def test_edit_form_has_labelled_fit_inputs(editor, task_library):
    task = Task.objects.get(name="Morning Lemon Water")
    text = editor.get(reverse("admin:library_task_change", args=[task.pk])).content.decode()
    assert 'name="fit_peak_performer"' in text and 'step="0.05"' in text
    assert "Peak Performer" in text and "Low energy mode" in text
    assert 'name="tags_text"' in text and 'value="quick, energizing, simple"' in text


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"fit_peak_performer": "1.5"}, "fit_peak_performer", "between 0 and 1"),
        ({"fit_connected_explorer": ""}, "fit_connected_explorer", "required"),
        ({"duration_minutes": "0"}, "duration_minutes", ""),
        ({"category": "sleeping"}, "category", "not one of the available choices"),
    ],
)
def test_edit_form_rejects_bad_values_field_by_field(
    editor, task_library, overrides, field, message
):
    task = Task.objects.get(name="Morning Lemon Water")
    url = reverse("admin:library_task_change", args=[task.pk])
    response = editor.post(url, form_data(task, **overrides))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert message in " ".join(errors[field])
    task.refresh_from_db()
    assert task.archetype_fit["Peak Performer"] == 0.7


def test_saving_records_who_changed_which_fit(editor, task_library):
    task = Task.objects.get(name="Morning Lemon Water")
    url = reverse("admin:library_task_change", args=[task.pk])
    response = editor.post(url, form_data(task, fit_peak_performer="0.85", tags_text="quick"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.archetype_fit["Peak Performer"] == 0.85
    assert task.tags == ["quick"]
    entry = LogEntry.objects.get(object_id=str(task.pk))
    assert entry.user.username == "editor"
    assert "Peak Performer: 0.7 → 0.85" in entry.get_change_message()
    page = editor.get(url).content.decode()
    assert "Peak Performer: 0.7 → 0.85" in page  # visible on the task


def test_deactivating_warns_when_a_group_drops_below_three(editor, task_library):
    task = Task.objects.get(name="Morning Lemon Water")
    response = editor.post(
        reverse("admin:library_task_changelist"),
        {"action": "deactivate", "_selected_action": [str(task.pk)]},
        follow=True,
    )
    task.refresh_from_db()
    assert not task.is_active
    text = response.content.decode()
    assert "Variety at risk: morning_water now has 2 active task(s)" in text


def test_duplicate_as_new_variation(editor, task_library):
    task = Task.objects.get(name="Sunset Walk")
    response = editor.post(
        reverse("admin:library_task_changelist"),
        {"action": "duplicate_as_new_variation", "_selected_action": [str(task.pk)]},
        follow=True,
    )
    copy = Task.objects.get(name="Sunset Walk (new variation)")
    assert copy.variation_group == task.variation_group and not copy.is_active
    assert copy.archetype_fit == task.archetype_fit
    assert "Created 1 inactive variation" in response.content.decode()


def test_variation_groups_overview(editor, task_library):
    Task.objects.filter(name="Morning Lemon Water").update(is_active=False)
    text = editor.get(reverse("admin:library_task_variation_groups")).content.decode()
    assert "morning_water" in text and "variety at risk: 2 active" in text
    assert "deactivating any task drops it below 3" in text


def _import(editor, content: bytes, name: str, fmt: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content)
    return editor.post(
        reverse("admin:library_task_import"),
        {"import_file": upload, "format": fmt, "resource": "0"},
    )


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def test_export_then_import_round_trip_and_bad_row_changes_nothing(editor, task_library):
    from library.resources import TaskResource

    rows = list(csv.DictReader(io.StringIO(TaskResource().export().csv)))
    assert {"fit Peak Performer", "mode low", "tags"} <= set(rows[0])
    json_rows = json.loads(TaskResource().export().json)
    assert json_rows[0]["fit Peak Performer"] is not None and "tags" in json_rows[0]

    lemon = next(r for r in rows if r["name"] == "Morning Lemon Water")
    edited = lemon | {"name": "Morning Lemon Water EDITED", "fit Peak Performer": "0.8"}
    walk = next(r for r in rows if r["name"] == "Sunset Walk")
    broken = walk | {"fit Peak Performer": "1.5"}  # one bad row: the whole file is refused
    response = _import(editor, _csv([edited, broken]), "library.csv", "0")
    text = response.content.decode()
    assert "between 0.0 and 1.0" in text
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Task.objects.filter(name__endswith="EDITED").exists()

    # Without the bad row the file previews cleanly and imports on confirmation.
    preview = _import(editor, _csv([edited]), "library.csv", "0")
    confirm = preview.context["confirm_form"]
    done = editor.post(reverse("admin:library_task_process_import"), confirm.initial, follow=True)
    assert "1 updated" in done.content.decode()
    task = Task.objects.get(name="Morning Lemon Water EDITED")
    assert task.archetype_fit["Peak Performer"] == 0.8
    assert task.tags == ["quick", "energizing", "simple"]


def test_plan_preview_shows_slots_and_saves_nothing(editor, task_library):
    url = reverse("admin:routines_plan_preview")
    response = editor.get(
        url,
        {"archetype": "Peak Performer", "mode": "high", "date": "2026-11-24", "wake_time": "06:30"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Morning Block" in text and "Wind Down" in text
    assert "archetype part" in text and "chance of being chosen" in text
    assert not Plan.objects.exists()


def test_plan_preview_for_an_existing_user_shows_rotation(editor, task_library):
    from routines.services import generate_plan

    user = uuid.uuid4()
    generate_plan(user, "Peak Performer", date(2026, 11, 23))
    response = editor.get(
        reverse("admin:routines_plan_preview"),
        {
            "archetype": "Peak Performer",
            "mode": "medium",
            "date": "2026-11-24",
            "wake_time": "06:00",
            "user_id": str(user),
        },
    )
    assert "Resting (rotation exclusions)" in response.content.decode()
    assert Plan.objects.count() == 1


def test_dashboard_shows_the_success_metrics(editor, api_client, task_library):
    from datetime import timedelta

    from django.utils import timezone

    from feedback.rollups import rollup_days
    from routines.services import generate_plan

    yesterday = timezone.localdate() - timedelta(days=1)
    stored = generate_plan(uuid.uuid4(), "Peak Performer", yesterday)
    api_client.post(
        "/api/v1/feedback/task",
        {
            "user_id": str(stored.plan.user_id),
            "plan_item_id": str(stored.items[0].id),
            "completed": True,
        },
        format="json",
    )
    text = editor.get(reverse("admin:feedback_dashboard")).content.decode()
    assert "100% (1/1)" not in text  # the dashboard reads rollups: none yet
    rollup_days(yesterday, yesterday, timezone.localdate())
    text = editor.get(reverse("admin:feedback_dashboard")).content.decode()
    assert "Dynamic plan success rate" in text and "100% (1/1)" in text
    assert "Feedback collection rate" in text and "(1/15)" in text
    assert "Completion rate by category" in text


def test_learned_data_is_read_only(editor, task_library):
    assert editor.get(reverse("admin:feedback_usertaskfeedback_add")).status_code == 403
    assert editor.get(reverse("admin:profiles_userpreferenceprofile_add")).status_code == 403
    assert editor.get(reverse("admin:routines_taskrotationstate_add")).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("admin:routines_plan_preview"))
    assert response.status_code == 302 and "/login/" in response["Location"]
