"""The point of the product: plans move toward what the user completes, variety intact."""

import itertools
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from feedback.services import Outcome, record_outcomes
from library.models import Task
from profiles.models import UserPreferenceProfile
from routines.services import generate_plan
from tests.factories import ProfileFactory

START = date(2026, 11, 2)
ARCHETYPE = "Peak Performer"  # whose static fit does not favour yoga

pytestmark = pytest.mark.django_db


def live_through(user, days, start, choose):
    """Plan each day and report outcomes chosen by `choose(item)`; returns the plans."""
    plans = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        stored = generate_plan(user, ARCHETYPE, day)
        outcomes = [Outcome(item.id, choose(item)) for item in stored.items]
        record_outcomes(user, outcomes, now=datetime.combine(day, time(21), UTC))
        plans.append(stored)
    return plans


def yoga_share(plans, subcategory_of):
    movement = [i for p in plans for i in p.items if i.category == "movement"]
    return sum(subcategory_of[i.task_library_id] == "yoga" for i in movement) / len(movement)


@pytest.mark.parametrize("policy", ["adaptive"])
def test_plans_move_toward_completed_subcategories(task_library, settings, policy):
    subcategory_of = dict(Task.objects.values_list("id", "subcategory"))
    loves_yoga = lambda item: subcategory_of[item.task_library_id] == "yoga"  # noqa: E731

    shares = {}
    for scoring in ("static", policy):
        settings.SCORING_POLICY = scoring
        user = uuid.uuid4()
        ProfileFactory(user_id=user, archetype=ARCHETYPE)
        live_through(user, 14, START, loves_yoga)
        later = live_through(user, 7, START + timedelta(days=14), loves_yoga)
        shares[scoring] = yoga_share(later, subcategory_of)
        if scoring == policy:
            profile = UserPreferenceProfile.objects.get(user_id=user)
            assert profile.subcategory_affinity["yoga"] > 0.8
            assert profile.category_affinity["movement"] < profile.subcategory_affinity["yoga"]

        # Variety still holds: no task on consecutive days where its group has alternatives.
        for yesterday, today in itertools.pairwise(later):
            assert not {i.task_library_id for i in yesterday.items} & {
                i.task_library_id for i in today.items
            }
    assert shares[policy] > shares["static"] + 0.2, shares
