"""Admin access grid: every admin page and action against every kind of user.

superuser / editor (the shipped "Editors" group) / staff with view rights only /
staff with no rights / anonymous.
"""

from datetime import date

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from library.editors import EDITORS_GROUP
from library.models import Task
from routines.services import generate_plan
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "editor", "viewer", "no_rights", "anonymous"]


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


# What each role gets: 200 = the page, 403 = refused, 302 = sent to log in.
OPEN_TO_VIEWERS = {"superuser": 200, "editor": 200, "viewer": 200, "no_rights": 403}
WRITERS_ONLY = {"superuser": 200, "editor": 200, "viewer": 403, "no_rights": 403}
# Operations (nightly runs): not the editors' business.
OPERATORS = {"superuser": 200, "editor": 403, "viewer": 200, "no_rights": 403}

PAGES = {
    "task_list": ("admin:library_task_changelist", OPEN_TO_VIEWERS),
    "task_add": ("admin:library_task_add", WRITERS_ONLY),
    "variation_groups": ("admin:library_task_variation_groups", OPEN_TO_VIEWERS),
    "export": ("admin:library_task_export", OPEN_TO_VIEWERS),
    "import": ("admin:library_task_import", WRITERS_ONLY),
    "plan_list": ("admin:routines_plan_changelist", OPEN_TO_VIEWERS),
    "plan_preview": ("admin:routines_plan_preview", OPEN_TO_VIEWERS),
    "rotation_list": ("admin:routines_taskrotationstate_changelist", OPEN_TO_VIEWERS),
    "feedback_list": ("admin:feedback_usertaskfeedback_changelist", OPEN_TO_VIEWERS),
    "dashboard": ("admin:feedback_dashboard", OPEN_TO_VIEWERS),
    "task_performance": ("admin:feedback_task_performance", OPEN_TO_VIEWERS),
    "estimates": ("admin:feedback_policyestimate_changelist", OPEN_TO_VIEWERS),
    "nightly_runs": ("admin:routines_nightlyrun_changelist", OPERATORS),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_admin_pages(task_library, role, page):
    name, expected = PAGES[page]
    response = make_client(role).get(reverse(name))
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code == expected[role], (page, role)


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
