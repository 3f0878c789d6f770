"""The lift on the personalization dashboard: who may see it, and it agrees with the command."""

import html
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from feedback.lift import MIN_USERS_PER_GROUP
from feedback.lift_display import NOT_ENOUGH
from feedback.rollups import rollup_days
from tests.feedback.test_lift import SALT, build_outcomes
from tests.library.test_admin_permissions import ROLES, make_client

pytestmark = pytest.mark.django_db

EXPECTED = {"superuser": 200, "editor": 200, "viewer": 200, "no_rights": 403, "anonymous": 302}


@pytest.fixture
def rolled_up(settings):
    settings.HOLDOUT_SHARE = 0.5
    settings.HOLDOUT_SALT = SALT
    today = timezone.localdate()
    days = [today - timedelta(days=n) for n in (3, 2, 1)]
    build_outcomes(days)
    rollup_days(days[0], days[-1], today)
    return today


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_with_the_lift_by_role(rolled_up, role):
    response = make_client(role).get(reverse("admin:feedback_dashboard"))
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert "/login/" in response["Location"]
    if EXPECTED[role] == 200:
        page = response.content.decode()
        assert all(f'id="lift-{days}"' in page for days in (7, 28, 90))
        assert 'id="lift-trend"' in page


def _command(today, days: int) -> list[str]:
    out = StringIO()
    since, until = today - timedelta(days=days), today - timedelta(days=1)
    call_command("lift_report", "--since", str(since), "--until", str(until), stdout=out)
    return out.getvalue().splitlines()


def test_the_dashboard_and_the_command_agree(rolled_up, django_assert_max_num_queries):
    client = make_client("superuser")
    # Four lift reads, whatever the rows (the success metrics and session add their own).
    with django_assert_max_num_queries(20):
        page = html.unescape(client.get(reverse("admin:feedback_dashboard")).content.decode())
    for days in (7, 28, 90):
        table = page.split(f'id="lift-{days}"', 1)[1].split("</table>", 1)[0]
        cells = [cell.split("<", 1)[0] for cell in table.split("<td>")[1:]]
        for line in _command(rolled_up, days)[2:]:
            # Each command row's figures appear in the same order in the page's row.
            figures = [part.strip() for part in line.split("  ") if part.strip()]
            label = figures[0]
            start = cells.index(label)
            assert cells[start : start + len(figures)] == figures
    assert "+50.0% [" in page


def test_not_enough_data_is_said(settings, db):
    settings.HOLDOUT_SHARE = 0.05
    settings.HOLDOUT_SALT = SALT
    page = make_client("superuser").get(reverse("admin:feedback_dashboard")).content.decode()
    assert NOT_ENOUGH in page
    assert f"{MIN_USERS_PER_GROUP} users" in page
