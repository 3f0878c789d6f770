"""The task performance page in admin: rights, sorting, filters, bad input, links, and a
query count that does not grow with the rows shown."""

import re
import uuid
from datetime import UTC, datetime, time, timedelta

import factory
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from feedback.rollups import rollup_days
from feedback.services import Outcome, record_outcomes
from library.editors import EDITORS_GROUP
from library.models import Task
from routines.services import generate_plan
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:feedback_task_performance")


def staff(*codenames: str, group: str | None = None) -> Client:
    user = User.objects.create_user(f"u{uuid.uuid4().hex[:8]}", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rolled_up(task_library):
    """One user's answered plan two days ago, rolled up: the page has figures to show."""
    today = timezone.localdate()
    day = today - timedelta(days=2)
    user = uuid.uuid4()
    items = generate_plan(user, "Peak Performer", day, "high").items
    now = datetime.combine(day, time(21, 0), tzinfo=UTC)
    record_outcomes(
        user,
        [
            Outcome(items[0].id, True, satisfaction_rating=5),
            Outcome(items[1].id, False, skip_reason="too_hard"),
            Outcome(items[2].id, False, skip_reason="too_hard"),
        ],
        now=now,
    )
    rollup_days(day, today - timedelta(days=1), today)
    return items


def names_in_order(html: str) -> list[str]:
    return re.findall(r'<td class="name"><a href="[^"]+">([^<]+)</a>', html)


def test_tasks_need_view_rights_on_tasks_and_on_feedback(task_library):
    assert staff("view_task").get(URL).status_code == 403
    assert staff("view_usertaskfeedback").get(URL).status_code == 403
    assert staff("view_task", "view_usertaskfeedback").get(URL).status_code == 200
    assert staff(group=EDITORS_GROUP).get(URL).status_code == 200
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_sorted_by_a_column_either_way(rolled_up):
    client = staff(group=EDITORS_GROUP)
    skipped = Task.objects.get(pk=rolled_up[1].task_library_id).name
    done = Task.objects.get(pk=rolled_up[0].task_library_id).name
    down = names_in_order(client.get(URL, {"o": "-skipped_too_hard"}).content.decode())
    assert down[0] in {skipped, Task.objects.get(pk=rolled_up[2].task_library_id).name}
    up = names_in_order(client.get(URL, {"o": "skipped_too_hard"}).content.decode())
    assert up[-1] in down[:2] and len(up) == len(down)
    by_rate = names_in_order(client.get(URL, {"o": "-completion_rate"}).content.decode())
    assert by_rate[0] == done
    by_name = names_in_order(client.get(URL, {"o": "name"}).content.decode())
    assert by_name == sorted(by_name, key=str.lower)


def test_filters_and_windows(rolled_up):
    client = staff(group=EDITORS_GROUP)
    html = client.get(URL, {"archetype": "Peak Performer", "mode": "high"}).content.decode()
    assert "Completion" in html and "Too hard" in html and ">All<" in html
    nobody = client.get(URL, {"archetype": "Foundation Builder"}).content.decode()
    assert "<tfoot>" in nobody and ">0%<" not in nobody  # rows listed, no outcomes
    focus = client.get(URL, {"category": "focus"}).content.decode()
    assert set(re.findall(r"<td>(\w+)</td>\s*<td class=\"group\">", focus)) == {"Focus"}
    groups = client.get(URL, {"view": "group", "days": "7"}).content.decode()
    assert "Per variation group" in groups and 'class="group"' not in groups
    window = client.get(URL, {"since": "2026-01-01", "until": "2026-01-31"}).content.decode()
    assert "2026-01-01" in window and "2026-01-31" in window


@pytest.mark.parametrize(
    "params, field",
    [
        ({"since": "2026-01-05"}, "until"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "until"),
        ({"archetype": "Wizard"}, "archetype"),
        ({"mode": "turbo"}, "mode"),
        ({"days": "3"}, "days"),
        ({"task": "not-a-uuid"}, "task"),
        ({"since": "yesterday", "until": "2026-01-01"}, "since"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(task_library, params, field):
    response = staff(group=EDITORS_GROUP).get(URL, params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    text = response.content.decode()
    assert 'id="performance-table"' not in text
    message = str(response.context["form"].errors[field][0])
    assert escape(message) in text  # shown on the page, hidden fields' errors included


def test_linked_from_the_task_page_and_the_dashboard(rolled_up):
    task = Task.objects.get(pk=rolled_up[0].task_library_id)
    editor = staff(group=EDITORS_GROUP)
    page = editor.get(reverse("admin:library_task_change", args=[task.pk])).content.decode()
    link = re.search(r'id="task-performance-link" href="([^"]+)"', page).group(1)
    target = editor.get(link.replace("&amp;", "&").split("#")[0])
    assert target.status_code == 200
    html = target.content.decode()
    assert f'class="perf-row highlight" id="task-{task.pk}"' in html
    assert {r.variation_group for r in target.context["report"].rows} == {task.variation_group}
    dashboard = editor.get(reverse("admin:feedback_dashboard")).content.decode()
    assert URL in dashboard
    no_feedback_rights = staff("view_task", "change_task")
    page = no_feedback_rights.get(reverse("admin:library_task_change", args=[task.pk]))
    assert "task-performance-link" not in page.content.decode()


def test_queries_do_not_grow_with_the_rows(rolled_up, django_assert_max_num_queries):
    client = staff(group=EDITORS_GROUP)
    client.get(URL)  # warm the session and content types
    with django_assert_max_num_queries(8) as few:
        client.get(URL, {"view": "task"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, {"view": "group"})
    TaskFactory.create_batch(30, category="focus", variation_group=factory.Sequence(str))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, {"view": "task"})
