"""The admin access grid against the live server, logged in through the real login form.

The grid (tests/library/admin_grid.py) is the one the admin tests check with Django's
test client; here each role signs in over HTTP, as its browser would behind the proxy.
"""

import secrets

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from library.editors import EDITORS_GROUP
from library.models import Task
from tests.library.admin_grid import PAGES, ROLES

from .client import Client
from .report import Row

WRITERS = {"superuser", "editor"}


def make_user(role: str, suffix: str) -> tuple[str, str]:
    username, password = f"redteam-{role}-{suffix}", secrets.token_urlsafe(16)
    if role == "superuser":
        User.objects.create_superuser(username, f"{username}@example.com", password)
        return username, password
    user = User.objects.create_user(username, f"{username}@example.com", password, is_staff=True)
    if role == "editor":
        user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    elif role == "viewer":
        user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    return username, password


class AdminBrowser:
    """One role's cookies (Secure ones included) and CSRF token, sent by hand."""

    def __init__(self, base_url: str, address: str) -> None:
        self.client = Client(base_url, address)
        self.referer = base_url.replace("http://", "https://", 1)
        self.cookies: dict[str, str] = {}

    def get(self, path: str):
        answer = self.client.send("GET", path, cookies=self.cookies)
        self.cookies.update(answer.cookies)
        return answer

    def post(self, path: str, form: dict):
        form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        answer = self.client.send(
            "POST", path, data=form, cookies=self.cookies, headers={"Referer": self.referer + path}
        )
        self.cookies.update(answer.cookies)
        return answer

    def log_in(self, username: str, password: str) -> bool:
        self.get("/admin/login/")
        answer = self.post(
            "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
        )
        return answer.status == 302 and "sessionid" in self.cookies


def browser_for(role: str, base_url: str, suffix: str, index: int) -> AdminBrowser:
    browser = AdminBrowser(base_url, f"198.51.100.{140 + index}")
    if role != "anonymous" and not browser.log_in(*make_user(role, suffix)):
        raise RuntimeError(f"{role} could not log in to the admin")
    return browser


def page_cells(browser: AdminBrowser, role: str) -> list[str]:
    """Pages answering otherwise than the grid says, as 'page: got N, expected M'."""
    wrong = []
    for page, (name, expected) in sorted(PAGES.items()):
        answer = browser.get(reverse(name))
        if role == "anonymous":
            want = 302  # to the login page
            ok = answer.status == want
        else:
            want = expected[role]
            ok = answer.status == want
        if not ok:
            wrong.append(f"{role}/{page}: {answer.status}, expected {want}")
    return wrong


def action_cells(browser: AdminBrowser, role: str) -> list[str]:
    """Bulk deactivate and duplicate: done and logged for writers only."""
    wrong = []
    tasks = list(Task.objects.filter(variation_group="morning_water"))
    ids = [str(t.pk) for t in tasks]
    changelist = reverse("admin:library_task_changelist")
    Task.objects.filter(pk__in=ids).update(is_active=True)
    logged_before = LogEntry.objects.filter(action_flag=CHANGE, object_id__in=ids).count()
    browser.post(changelist, {"action": "deactivate", "_selected_action": ids})
    deactivated = Task.objects.filter(pk__in=ids, is_active=False).count()
    logged = LogEntry.objects.filter(action_flag=CHANGE, object_id__in=ids).count() - logged_before
    want = len(ids) if role in WRITERS else 0
    if (deactivated, logged) != (want, want):
        wrong.append(f"{role}/deactivate: {deactivated} changed, {logged} logged, expected {want}")
    Task.objects.filter(pk__in=ids).update(is_active=True)
    before = Task.objects.count()
    browser.post(changelist, {"action": "duplicate_as_new_variation", "_selected_action": ids[:1]})
    added = Task.objects.count() - before
    if added != (1 if role in WRITERS else 0):
        wrong.append(f"{role}/duplicate: {added} added")
    Task.objects.filter(pk__in=ids).update(is_active=True)
    return wrong


def admin_grid(base_url: str) -> Row:
    suffix = secrets.token_hex(3)
    wrong: list[str] = []
    cells = 0
    for index, role in enumerate(ROLES):
        browser = browser_for(role, base_url, suffix, index)
        wrong += page_cells(browser, role) + action_cells(browser, role)
        cells += len(PAGES) + 2
    measured = f"{cells - len(wrong)} of {cells} cells as designed"
    if wrong:
        measured += f" ({'; '.join(wrong[:4])})"
    expected = f"{len(ROLES)} roles x ({len(PAGES)} pages + 2 actions) as designed"
    return Row("admin grid, logged in over HTTP", expected, measured, not wrong)
