"""Staff without rights, in a real browser: the editors' pages answer 403 and the task
list offers them nothing (the full grid of roles is tests/library/test_admin_permissions)."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "plan preview": "/admin/routines/plan/preview/",
    "dashboard": "/admin/feedback/usertaskfeedback/dashboard/",
    "task performance": "/admin/feedback/usertaskfeedback/task-performance/",
    "import": "/admin/library/task/import/",
    "task list (and its actions)": "/admin/library/task/",
}


def test_staff_without_rights_reach_none_of_the_editors_pages(page, live_server):
    call_command("loaddata", "task_library", verbosity=0)
    User.objects.create_user("intern", password="intern-pass-123", is_staff=True)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "intern")
    page.fill("#id_password", "intern-pass-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    assert page.locator("#editor-tools").count() == 0  # no links to pages it cannot open
    for name, path in PAGES.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 403, name
    assert page.locator("select[name=action]").count() == 0
