"""The profile page shows what was learned as bars and tables, and links to the rest."""

import uuid

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tests.factories import FeedbackFactory, PlanItemFactory, ProfileFactory

pytestmark = pytest.mark.django_db

EVIDENCE = {
    "overall": [7, 10],
    "category": {"movement": [4, 5], "hydration": [3, 5]},
    "arm": {"movement/walking": [4, 5]},
    "difficulty": {"beginner": [7, 10]},
    "time_of_day": {"morning": [5, 6], "evening": [2, 4]},
    "duration": {"long": [1.5, 3.2]},  # [completed, expected]: weighted, fractional
}


@pytest.fixture
def profile():
    return ProfileFactory(
        category_affinity={"movement": 0.8, "hydration": 0.35},
        subcategory_affinity={"movement/walking": 0.9},
        time_of_day_performance={"morning": 0.83, "afternoon": 0.5, "evening": 0.5},
        complexity_tolerance=0.62,
        completion_rate=0.7,
        total_tasks_completed=7,
        total_tasks_scheduled=10,
        profile_confidence=0.45,
        evidence=EVIDENCE,
    )


@pytest.fixture
def superuser(client):
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw-123-ed"))
    return client


def change_url(profile) -> str:
    return reverse("admin:profiles_userpreferenceprofile_change", args=[profile.pk])


def summary_url(profile) -> str:
    return reverse("admin:feedback_profile_weekly_summary", args=[profile.pk])


def test_profile_page_draws_affinities_time_of_day_evidence_and_capacity(superuser, profile):
    text = superuser.get(change_url(profile)).content.decode()
    assert 'class="score-bar" title="0.80"><span style="width:80%">' in text  # movement
    assert "movement/walking" in text
    assert 'title="0.83"><span style="width:83%">' in text  # morning
    assert "Complexity tolerance" in text and 'title="0.62"' in text
    assert "7 of 10 tasks" in text
    assert "Overall: <strong>7</strong> completed of <strong>10</strong> outcomes" in text
    assert "<td>evening</td><td class='num'>2</td><td class='num'>4</td>" in text
    assert "<td>long</td><td class='num'>1.5</td><td class='num'>3.2</td>" in text
    assert "<th>Expected</th>" in text
    assert '{"movement"' not in text  # no raw JSON


def test_profile_page_says_the_plan_size_and_whether_tastes_changed(superuser, profile):
    text = superuser.get(change_url(profile)).content.decode()
    assert "Plan size: not learned yet" in text
    assert "No change of taste detected" in text
    profile.daily_capacity = 11
    profile.evidence = {
        **EVIDENCE,
        "forgetting": {"change": 6.3, "arms_compared": 8, "old_weight": 0.2},
    }
    profile.save()
    text = superuser.get(change_url(profile)).content.decode()
    assert "Plan size: 11 tasks a day" in text
    assert "Tastes changed (score 6.3): outcomes older than a week count 20%." in text


def test_profile_page_links_plans_feedback_and_weekly_summary(superuser, profile):
    text = superuser.get(change_url(profile)).content.decode()
    user = str(profile.user_id)
    assert f"{reverse('admin:routines_plan_changelist')}?user_id={user}" in text
    assert f"{reverse('admin:feedback_usertaskfeedback_changelist')}?user_id={user}" in text
    assert summary_url(profile) in text


def test_the_linked_lists_show_only_this_users_rows(superuser, profile):
    mine = FeedbackFactory(plan_item=PlanItemFactory(time_block__plan__user_id=profile.user_id))
    FeedbackFactory()  # someone else's
    plans = superuser.get(reverse("admin:routines_plan_changelist"), {"user_id": profile.pk})
    assert plans.context["cl"].result_count == 1
    feedback = superuser.get(
        reverse("admin:feedback_usertaskfeedback_changelist"), {"user_id": profile.pk}
    )
    assert list(feedback.context["cl"].result_list) == [mine]


def test_a_profile_without_evidence_says_so(superuser):
    text = superuser.get(change_url(ProfileFactory())).content.decode()
    assert "No outcomes recorded yet." in text


def test_weekly_summary_renders_inside_the_admin(superuser, profile):
    item = PlanItemFactory(time_block__plan__user_id=profile.user_id)
    FeedbackFactory(plan_item=item, completed=True)
    response = superuser.get(summary_url(profile), {"week_start": "2026-11-25"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "HolisticOS editors" in text  # inside the admin frame
    assert 'id="weekly-summary"' in text and "srcdoc=" in text
    assert "Week of <strong>Monday 23 November 2026</strong>" in text  # any day -> its Monday
    assert "1/1" in response.context["summary_html"]
    assert "tasks completed" in response.context["summary_html"]


def test_weekly_summary_of_a_missing_profile_is_404(superuser):
    url = reverse("admin:feedback_profile_weekly_summary", args=[uuid.uuid4()])
    assert superuser.get(url).status_code == 404


def test_a_bad_week_start_falls_back_to_this_week(superuser, profile):
    assert superuser.get(summary_url(profile), {"week_start": "not-a-date"}).status_code == 200


def test_staff_with_view_permission_sees_the_summary_without_an_api_key(client, profile):
    staff = User.objects.create_user("viewer", password="pw-123-viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_userpreferenceprofile"))
    client.force_login(staff)
    assert client.get(summary_url(profile)).status_code == 403  # the outcomes need feedback rights
    staff.user_permissions.add(Permission.objects.get(codename="view_usertaskfeedback"))
    assert client.get(summary_url(profile)).status_code == 200
    assert client.get(change_url(profile)).status_code == 200


def test_staff_without_rights_and_anonymous_are_refused(client, profile):
    anonymous = client.get(summary_url(profile))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(User.objects.create_user("staff", password="pw-123-st", is_staff=True))
    assert client.get(summary_url(profile)).status_code == 403
    assert client.get(change_url(profile)).status_code == 403
