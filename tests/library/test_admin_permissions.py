"""Admin access grid: every admin page and action against every kind of user.

superuser / editor (the shipped "Editors" group) / staff with view rights only /
staff with no rights / anonymous.
"""

from datetime import date

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from library.editors import EDITORS_GROUP
from library.models import Task
from routines.services import generate_plan
from tests.factories import ProfileFactory

from .admin_grid import OPEN_TO_VIEWERS, PAGES, ROLES

pytestmark = pytest.mark.django_db


def make_client(role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    if role == "superuser":
        user = User.objects.create_superuser("root", "root@example.com", "pw-root-123")
    else:
        user = User.objects.create_user(role, f"{role}@example.com", "pw-123", is_staff=True)
    if role == "editor":
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    elif role == "viewer":
        user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.mark.parametrize("page", sorted(PAGES))
def test_admin_pages(task_library, role, page):
    name, expected = PAGES[page]
    response = make_client(role).get(reverse(name))
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], (page, role)


def test_the_grid_covers_every_registered_model():
    from django.contrib import admin

    listed = {name for name, _ in PAGES.values()}
    for model in admin.site._registry:
        opts = model._meta
        assert f"admin:{opts.app_label}_{opts.model_name}_changelist" in listed, opts.label


def test_weekly_summary_page_needs_profile_and_feedback_rights(role):
    profile = ProfileFactory(archetype="Peak Performer")
    url = reverse("admin:feedback_profile_weekly_summary", args=[profile.user_id])
    client = make_client(role)
    expected = {**OPEN_TO_VIEWERS, "anonymous": 302}[role]
    assert client.get(url).status_code == expected, role
    if role == "viewer":  # profile rights alone do not open a user's outcomes
        User.objects.get(username="viewer").user_permissions.remove(
            Permission.objects.get(codename="view_usertaskfeedback")
        )
        assert client.get(url).status_code == 403


def test_task_change_page_is_read_only_for_viewers(task_library, role):
    task = Task.objects.get(name="Morning Lemon Water")
    response = make_client(role).get(reverse("admin:library_task_change", args=[task.pk]))
    expected = {**OPEN_TO_VIEWERS, "anonymous": 302}[role]
    assert response.status_code == expected
    if role == "viewer":
        assert 'name="fit_peak_performer"' not in response.content.decode()


def test_plan_preview_of_a_users_profile_needs_profile_rights(task_library, role):
    profile = ProfileFactory(archetype="Peak Performer")
    generate_plan(profile.user_id, "Peak Performer", date(2026, 11, 23))
    query = {
        "archetype": "Peak Performer",
        "mode": "medium",
        "date": "2026-11-24",
        "wake_time": "06:00",
        "user_id": str(profile.user_id),
    }
    client = make_client(role)
    response = client.get(reverse("admin:routines_plan_preview"), query)
    expected = {**OPEN_TO_VIEWERS, "anonymous": 302}[role]
    assert response.status_code == expected
    if role == "no_rights":
        return
    # Plan rights alone do not open a user's learned profile.
    if role == "viewer":
        User.objects.get(username="viewer").user_permissions.remove(
            Permission.objects.get(codename="view_userpreferenceprofile")
        )
        assert client.get(reverse("admin:routines_plan_preview"), query).status_code == 403


def post_action(client: Client, action: str, tasks: list[Task]):
    return client.post(
        reverse("admin:library_task_changelist"),
        {"action": action, "_selected_action": [str(t.pk) for t in tasks]},
    )


@pytest.mark.parametrize("action", ["activate", "deactivate"])
def test_bulk_activation_needs_change_rights_and_is_logged(task_library, role, action):
    tasks = list(Task.objects.filter(variation_group="morning_water"))
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(is_active=action == "deactivate")
    post_action(make_client(role), action, tasks)
    changed = Task.objects.filter(pk__in=[t.pk for t in tasks], is_active=action == "activate")
    allowed = role in ("superuser", "editor")
    assert changed.count() == (len(tasks) if allowed else 0), role
    entries = LogEntry.objects.filter(action_flag=CHANGE, object_id__in=[str(t.pk) for t in tasks])
    assert entries.count() == (len(tasks) if allowed else 0)
    if allowed:
        assert all("bulk action" in e.get_change_message() for e in entries)


def test_duplicate_needs_add_rights(task_library, role):
    task = Task.objects.get(name="Sunset Walk")
    before = Task.objects.count()
    post_action(make_client(role), "duplicate_as_new_variation", [task])
    allowed = role in ("superuser", "editor")
    assert Task.objects.count() == before + (1 if allowed else 0), role
    added = LogEntry.objects.filter(action_flag=ADDITION, change_message__contains="Duplicated")
    assert added.count() == (1 if allowed else 0)


def test_editors_cannot_delete_tasks_or_manage_keys_and_users(task_library):
    client = make_client("editor")
    task = Task.objects.get(name="Sunset Walk")
    assert client.get(reverse("admin:library_task_delete", args=[task.pk])).status_code == 403
    keys = reverse("admin:rest_framework_api_key_apikey_changelist")
    assert client.get(keys).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_editors_group_is_created_by_migrate_and_topped_up():
    from library.editors import EDITOR_PERMISSIONS, ensure_editors_group

    group = Group.objects.get(name=EDITORS_GROUP)
    assert set(group.permissions.values_list("codename", flat=True)) == set(EDITOR_PERMISSIONS)
    group.permissions.clear()
    extra = Permission.objects.get(codename="delete_task")
    group.permissions.add(extra)  # added by an administrator: kept
    ensure_editors_group()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == {*EDITOR_PERMISSIONS, "delete_task"}


def test_import_confirmation_needs_import_rights(task_library, role):
    before = Task.objects.count()
    response = make_client(role).post(reverse("admin:library_task_process_import"), {})
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif role in ("viewer", "no_rights"):
        assert response.status_code == 403
    assert Task.objects.count() == before


def test_the_index_links_only_the_tools_a_role_may_open(task_library, role):
    if role == "anonymous":
        return
    text = make_client(role).get(reverse("admin:index")).content.decode()
    performance = reverse("admin:feedback_task_performance")
    if role == "no_rights":
        assert 'id="editor-tools"' not in text
    else:
        assert 'id="editor-tools"' in text and performance in text
