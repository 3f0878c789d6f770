"""Plans that fit the person: the learned size and category mix reach the stored plan."""

import uuid
from collections import Counter
from datetime import date

import pytest

from routines.layout import PLAN_SIZE
from routines.services import generate_plan
from tests.factories import ProfileFactory

DAY = date(2026, 11, 24)
ARCHETYPE = "Foundation Builder"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_library")]

# A user who finishes nearly every hydration task and almost no movement task.
EVIDENCE = {
    "version": 3,
    "overall": [60, 120],
    "category": {"hydration": [38, 40], "movement": [2, 40], "nutrition": [20, 40]},
}


def _profile(**fields):
    return ProfileFactory(
        user_id=uuid.uuid4(),
        archetype=ARCHETYPE,
        evidence=EVIDENCE,
        profile_confidence=1.0,
        **fields,
    )


def test_the_learned_capacity_sizes_the_adaptive_plan(settings):
    settings.SCORING_POLICY = "adaptive"
    profile = _profile(daily_capacity=10)
    stored = generate_plan(profile.user_id, ARCHETYPE, DAY)
    assert len(stored.items) == 10
    assert stored.plan.readiness_mode == "medium"


@pytest.mark.parametrize(("mode", "capacity"), [("low", 2), ("high", 2), ("medium", 20)])
def test_the_plan_size_stays_inside_the_modes_bounds(settings, mode, capacity):
    settings.SCORING_POLICY = "adaptive"
    profile = _profile(daily_capacity=capacity)
    stored = generate_plan(profile.user_id, ARCHETYPE, DAY, mode=mode)
    fewest, most = PLAN_SIZE[mode]
    assert len(stored.items) == (fewest if capacity < fewest else most)


def test_the_category_mix_follows_the_user(settings):
    settings.SCORING_POLICY = "adaptive"
    profile = _profile()
    stored = generate_plan(profile.user_id, ARCHETYPE, DAY)
    planned = Counter(item.category for item in stored.items)
    assert len(stored.items) == 15
    assert planned["movement"] == 1  # the evening's core slot; the other two went elsewhere
    assert planned["hydration"] >= 2


def test_the_static_policy_keeps_the_spec_layout_whatever_was_learned(settings):
    settings.SCORING_POLICY = "static"
    profile = _profile(daily_capacity=6)
    stored = generate_plan(profile.user_id, ARCHETYPE, DAY)
    assert len(stored.items) == 15
    assert Counter(item.category for item in stored.items)["movement"] == 3


def test_a_shaped_plan_costs_no_extra_query(settings, django_assert_max_num_queries):
    settings.SCORING_POLICY = "adaptive"
    profile = _profile(daily_capacity=9)
    with django_assert_max_num_queries(10):
        generate_plan(profile.user_id, ARCHETYPE, DAY)
