"""The import preview shows the values it will write, and row errors in plain sight."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.models import Task
from library.resources import TaskResource

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw-123-editor"))
    return client


def exported_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(TaskResource().export().csv)))


def upload(client, rows: list[dict]):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return client.post(
        reverse("admin:library_task_import"),
        {
            "import_file": SimpleUploadedFile("library.csv", out.getvalue().encode()),
            "format": "0",
            "resource": "0",
        },
    )


def new_row(template: dict, n: int) -> dict:
    return template | {"id": "", "name": f"Imported Stretch {n}", "tags": "gentle, indoor"}


def test_a_new_row_shows_its_fit_mode_and_tags(editor, task_library):
    template = next(r for r in exported_rows() if r["name"] == "Sunset Walk")
    row = new_row(template, 1) | {"fit Peak Performer": "0.65", "mode low": "0.35"}
    response = upload(editor, [row])
    assert response.status_code == 200
    preview = response.context["result"].valid_rows()[0]
    headers = response.context["result"].diff_headers
    cells = dict(zip(headers, (str(c) for c in preview.diff), strict=True))
    assert "0.65" in cells["fit Peak Performer"]
    assert "0.35" in cells["mode low"]
    assert "gentle, indoor" in cells["tags"]
    assert "Imported Stretch 1" in cells["name"]
    text = response.content.decode()
    assert '<span class="value">0.65</span>' in text
    assert "<strong>1</strong> new" in text


def test_a_changed_row_shows_old_and_new_value_of_each_changed_column(editor, task_library):
    row = next(r for r in exported_rows() if r["name"] == "Sunset Walk")
    before = row["fit Peak Performer"]
    edited = row | {"fit Peak Performer": "0.85", "is_active": "0"}
    response = upload(editor, [edited])
    text = response.content.decode()
    assert f'<del class="old">{before}</del> → <ins class="new">0.85</ins>' in text, (
        "old and new fit side by side"
    )
    assert '<del class="old">1</del> → <ins class="new">0</ins>' in text
    assert '<span class="value unchanged">Sunset Walk</span>' in text
    assert "<strong>1</strong> changed" in text


def test_a_changed_row_lists_its_changes_by_column_at_its_start(editor, task_library):
    row = next(r for r in exported_rows() if r["name"] == "Sunset Walk")
    before = row["fit Peak Performer"]
    response = upload(editor, [row | {"fit Peak Performer": "0.85", "tags": ""}])
    preview = response.context["result"].valid_rows()[0]
    assert preview.diff.name == "Sunset Walk"
    assert preview.diff.changes == [
        ("tags", row["tags"], "(empty)"),
        ("fit Peak Performer", before, "0.85"),
    ]
    text = response.content.decode()
    assert '<strong class="task-name">Sunset Walk</strong>' in text
    assert '<span class="field-name">fit Peak Performer:</span>' in text
    assert "is_nav_sidebar_enabled" not in text and 'id="nav-sidebar"' not in text


def test_a_row_changing_only_a_fit_is_not_skipped_as_unchanged(editor, task_library):
    row = next(r for r in exported_rows() if r["name"] == "Sunset Walk")
    response = upload(editor, [row | {"mode high": "0.15"}])
    result = response.context["result"]
    assert result.totals["update"] == 1 and result.totals["skip"] == 0
    confirm = response.context["confirm_form"]
    editor.post(reverse("admin:library_task_process_import"), confirm.initial)
    assert Task.objects.get(name="Sunset Walk").mode_fit["high"] == 0.15


def test_row_errors_are_written_out_not_hidden_behind_a_badge(editor, task_library):
    row = next(r for r in exported_rows() if r["name"] == "Sunset Walk")
    response = upload(editor, [row | {"fit Peak Performer": "1.5"}])
    text = response.content.decode()
    assert 'class="row-errors"' in text
    assert "validation-error-count" not in text  # the hover-only badge is gone
    assert "between 0.0 and 1.0" in text
    assert "nothing from this file has been saved" in text
    assert Task.objects.get(name="Sunset Walk").archetype_fit["Peak Performer"] != 1.5


def test_a_200_row_file_previews_in_one_scrollable_table(editor, task_library):
    rows = exported_rows()
    template = rows[0]
    changed = [r | {"fit Peak Performer": "0.55"} for r in rows[:100]]
    fresh = [new_row(template, n) for n in range(100)]
    response = upload(editor, changed + fresh)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_validation_errors()
    assert result.totals["new"] == 100
    text = response.content.decode()
    assert text.count('<tr class="new">') == 100
    assert 'class="preview-scroll"' in text
    assert "<strong>100</strong> new" in text
    confirm = response.context["confirm_form"]
    editor.post(reverse("admin:library_task_process_import"), confirm.initial)
    assert Task.objects.filter(name__startswith="Imported Stretch").count() == 100


def test_anonymous_visitors_are_sent_to_login(client):
    # Staff without rights on tasks: the permissions work (Editors group) covers the import.
    anonymous = client.get(reverse("admin:library_task_import"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
