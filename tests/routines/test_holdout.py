"""The randomized holdout: a stable assignment, and every planner agrees on it."""

import uuid
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from library.selectors import active_candidates
from routines import holdout
from routines.drafting import day_shape, make_scorer, upcoming_shape
from routines.models import PlanItem
from routines.services import generate_plan
from tests.factories import ProfileFactory

IDS = [uuid.UUID(int=n * 7919 + 12345) for n in range(10_000)]


def test_assignment_is_a_stable_uniform_number():
    numbers = [holdout.assignment_number(u, "salt-a") for u in IDS]
    assert numbers == [holdout.assignment_number(u, "salt-a") for u in IDS]
    assert all(0 <= n < 1 for n in numbers)
    # The same id as text (how a Celery chunk or another machine sees it) gets the same.
    assert holdout.assignment_number(str(IDS[0]), "salt-a") == numbers[0]
    assert numbers != [holdout.assignment_number(u, "salt-b") for u in IDS]


@pytest.mark.parametrize("share", [0.05, 0.1, 0.5])
def test_the_holdout_is_close_to_the_share_on_10000_ids(share):
    held = sum(holdout.is_held_out(u, share, "salt-a") for u in IDS)
    # Binomial sd at 10,000 ids is at most 50: four sd either way.
    assert abs(held - share * len(IDS)) < 200


def test_raising_the_share_only_moves_users_at_the_margin():
    before = {u for u in IDS if holdout.is_held_out(u, 0.05, "salt-a")}
    after = {u for u in IDS if holdout.is_held_out(u, 0.10, "salt-a")}
    assert before < after
    moved = after - before
    assert all(0.05 <= holdout.assignment_number(u, "salt-a") < 0.10 for u in moved)


def test_share_zero_holds_out_nobody():
    assert not any(holdout.is_held_out(u, 0.0, "") for u in IDS[:1000])


def test_buckets_are_spread_and_independent_of_the_group():
    buckets = [holdout.bucket_of(u, "salt-a") for u in IDS]
    assert set(buckets) <= set(range(holdout.BUCKETS))
    assert len(set(buckets)) > 0.95 * holdout.BUCKETS
    held = [b for u, b in zip(IDS, buckets, strict=True) if holdout.is_held_out(u, 0.1, "salt-a")]
    # Holdout users are not confined to low buckets.
    assert max(held) > holdout.BUCKETS * 0.9 and min(held) < holdout.BUCKETS * 0.1


def test_recorded_policy_values():
    assert holdout.recorded_policy("static-v1", True) == "static-v1:holdout"
    assert holdout.recorded_policy("adaptive-v3", False) == "adaptive-v3"
    assert holdout.recorded_policy("", True) == ""
    assert holdout.is_holdout_policy("static-v1:holdout")
    assert not holdout.is_holdout_policy("static-v1")
    assert holdout.scorer_policy("static-v1:holdout") == "static-v1"


@pytest.fixture
def half_held_out(settings):
    settings.HOLDOUT_SHARE = 0.5
    settings.HOLDOUT_SALT = "test-salt"
    settings.SCORING_POLICY = "adaptive"


def _policies(day: date) -> dict:
    policies = {}
    for user_id, policy in PlanItem.objects.filter(scheduled_date=day).values_list(
        "user_id", "policy"
    ):
        policies.setdefault(user_id, set()).add(policy)
    return policies


@pytest.mark.django_db
def test_the_nightly_run_and_on_request_plans_agree_on_each_group(task_library, half_held_out):
    profiles = ProfileFactory.create_batch(12, total_tasks_scheduled=40)
    call_command(
        "regenerate_plans", "--date", "2026-11-25", "--all", stdout=StringIO(), stderr=StringIO()
    )
    for profile in profiles:
        generate_plan(profile.user_id, profile.archetype, date(2026, 11, 26))
    nightly, on_request = _policies(date(2026, 11, 25)), _policies(date(2026, 11, 26))
    groups = set()
    for profile in profiles:
        held_out = holdout.in_holdout(profile.user_id)
        groups.add(held_out)
        expected = {"static-v1:holdout"} if held_out else {"adaptive-v3"}
        assert nightly[profile.user_id] == expected == on_request[profile.user_id]
    assert groups == {True, False}  # both groups present among 12 users at a share of 0.5


@pytest.mark.django_db
def test_the_holdout_gets_the_static_scorer_with_the_same_exploration(task_library, settings):
    settings.HOLDOUT_SALT = "test-salt"
    profile = ProfileFactory(total_tasks_scheduled=40)
    settings.HOLDOUT_SHARE = 0.5
    if not holdout.in_holdout(profile.user_id):
        settings.HOLDOUT_SALT = next(
            salt
            for salt in (f"salt-{n}" for n in range(100))
            if holdout.is_held_out(profile.user_id, 0.5, salt)
        )
    stored = generate_plan(profile.user_id, profile.archetype, date(2026, 11, 25))
    assert {item.policy for item in stored.items} == {"static-v1:holdout"}
    # Propensities are logged as for everyone (the same selection rules and exploration).
    assert all(item.propensity is not None and item.slot_log for item in stored.items)
    # The weekly summary's promise for a held-out user is the static policy's day too.
    static = make_scorer(profile.archetype, profile.current_mode, profile, policy="static")
    assert upcoming_shape(profile) == day_shape(
        profile.current_mode, static, {}, active_candidates()
    )


@pytest.mark.django_db
def test_without_a_holdout_nothing_changes(task_library, settings):
    settings.HOLDOUT_SHARE = 0.0
    profile = ProfileFactory(total_tasks_scheduled=40)
    stored = generate_plan(profile.user_id, profile.archetype, date(2026, 11, 25))
    assert {item.policy for item in stored.items} == {"adaptive-v3"}
