"""The plan preview explains its draws; a stored plan reads by block with outcomes."""

import uuid
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from routines.admin_preview import CandidateRow, explain_draw
from routines.services import generate_plan
from tests.factories import FeedbackFactory, ProfileFactory

pytestmark = pytest.mark.django_db
PREVIEW = {
    "archetype": "Peak Performer",
    "mode": "high",
    "date": "2026-11-24",
    "wake_time": "06:00",
}


@pytest.fixture
def superuser(client):
    client.force_login(User.objects.create_superuser("editor", "e@example.com", "pw-123-ed"))
    return client


def row(name: str, expected: float, chosen: bool, propensity: float) -> CandidateRow:
    return CandidateRow(
        name, "g", chosen, 0.8, 0.5, 0.71, 0.56, 0.15, 0.0, 0.0, expected, propensity
    )


def test_the_explanation_names_the_favourite_and_the_drawn_task():
    text = explain_draw(
        [row("Sunset Walk", 0.812, False, 0.55), row("Stair Climb", 0.79, True, 0.3)], False
    )
    assert "Stair Climb was drawn although Sunset Walk has the higher expected score" in text
    assert "(0.812 against 0.790, a gap of 0.022)" in text
    assert "random jitter of 0 to 0.1" in text and "5% of slots" in text
    assert "Stair Climb wins about 30% of draws, Sunset Walk about 55%." in text


def test_the_explanation_for_a_learned_user_mentions_thompson_sampling():
    text = explain_draw([row("A", 0.9, False, 0.6), row("B", 0.8, True, 0.35)], True)
    assert "Thompson sampling" in text


def test_when_the_favourite_wins_the_explanation_says_so():
    text = explain_draw([row("A", 0.9, True, 0.9), row("B", 0.8, False, 0.1)], False)
    assert text == (
        "A has the highest expected score (0.900) and won the draw, as it does in about "
        "90% of draws."
    )
    assert explain_draw([row("A", 0.9, True, 1.0)], False) == (
        "A was the only candidate for this slot."
    )


def test_preview_for_a_learned_user_shows_static_fit_beside_the_learned_part(
    superuser, task_library, settings
):
    settings.SCORING_POLICY = "adaptive"
    profile = ProfileFactory(archetype="Peak Performer", profile_confidence=1.0)
    response = superuser.get(
        reverse("admin:routines_plan_preview"), {**PREVIEW, "user_id": str(profile.user_id)}
    )
    text = response.content.decode()
    assert "Static fit (your scores)" in text and "learned part" in text
    rows = [r for view in response.context["preview"] for s in view.slots for r in s.rows]
    assert rows and all(r.archetype_part == 0.0 for r in rows)  # confidence 1: weight 0
    assert all(r.static_score > 0.3 for r in rows)  # ...but the editor's fit is shown
    assert all(r.learned_part > 0 for r in rows)
    assert text.count('class="draw-explanation"') >= 15


def test_preview_explains_the_learned_plan_size_and_category_mix(superuser, task_library, settings):
    settings.SCORING_POLICY = "adaptive"
    profile = ProfileFactory(
        archetype="Peak Performer",
        profile_confidence=1.0,
        daily_capacity=14,
        evidence={
            "overall": [60, 120],
            "category": {"hydration": [38, 40], "movement": [2, 40]},
            "forgetting": {"change": 5.2, "arms_compared": 9, "old_weight": 0.2},
        },
    )
    response = superuser.get(
        reverse("admin:routines_plan_preview"), {**PREVIEW, "user_id": str(profile.user_id)}
    )
    lines = response.context["shape"]
    assert lines[0].startswith("14 tasks (the high mode allows 12 to 20)")
    assert "learned capacity is 14 tasks a day" in lines[0]
    assert any(line.startswith("2 movement slot(s) fewer") for line in lines)
    assert any("tastes changed" in line and "20%" in line for line in lines)
    assert 'id="preview-shape"' in response.content.decode()
    assert response.content.decode().count('<tr class="chosen">') == 14


def test_preview_of_the_static_policy_says_it_keeps_the_full_layout(superuser, task_library):
    response = superuser.get(reverse("admin:routines_plan_preview"), PREVIEW)
    assert response.context["shape"][0] == (
        "20 tasks: the high mode's full plan; the static-v1 policy always plans the mode's "
        "full layout."
    )


def test_preview_without_a_profile_has_no_learned_column(superuser, task_library):
    response = superuser.get(reverse("admin:routines_plan_preview"), PREVIEW)
    text = response.content.decode()
    assert "learned part" not in text
    assert "static score" in text and "chance of being chosen" in text
    assert text.count('<tr class="chosen">') == 20


def test_a_stored_plan_lists_items_under_their_blocks_with_outcomes(
    superuser, task_library, django_assert_max_num_queries
):
    stored = generate_plan(uuid.uuid4(), "Peak Performer", date(2026, 11, 24))
    first, second = stored.items[0], stored.items[1]
    FeedbackFactory(plan_item=first, user_id=first.user_id, completed=True)
    FeedbackFactory(
        plan_item=second,
        user_id=second.user_id,
        completed=False,
        skipped=True,
        skip_reason="no_time",
    )
    url = reverse("admin:routines_plan_change", args=[stored.plan.pk])
    with django_assert_max_num_queries(20):
        response = superuser.get(url)
    text = response.content.decode()
    assert text.count('class="block-row"') == 5
    for name in ("Morning Block", "Peak Energy", "Midday", "Evening", "Wind Down"):
        assert name in text
    assert text.count('class="plan-item"') == len(stored.items)
    assert text.count('class="outcome-completed"') == 1
    assert 'class="outcome-skipped">skipped</span> (No time)' in text
    assert text.count('class="outcome-none"') == len(stored.items) - 2
    assert "has_original" not in text  # no repeated header above each row


def test_admin_is_branded_and_has_no_dead_view_site_link(superuser):
    text = superuser.get(reverse("admin:index")).content.decode()
    assert "HolisticOS editors" in text
    assert "Django administration" not in text
    assert "View site" not in text


def test_task_list_has_a_fit_legend(superuser, task_library):
    text = superuser.get(reverse("admin:library_task_changelist")).content.decode()
    assert 'id="fit-legend"' in text
    assert "<abbr>PP</abbr> Peak Performer" in text
    assert '<span class="fit" title="Peak Performer: 0.60"><abbr>PP</abbr>0.60</span>' in text
