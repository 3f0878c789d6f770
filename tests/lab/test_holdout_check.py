"""The simulation's holdout check: the live run is planned as production plans it."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from feedback.lift import Interval, lift_of
from feedback.models import HoldoutUserDay
from feedback.rollup_reads import HoldoutCluster, holdout_clusters, window_users
from feedback.rollups import rollup_days
from lab.holdout_check import (
    HoldoutCheck,
    _add_users,
    _merge,
    format_holdout_checks,
    holdout_slice,
)
from lab.results import WeekStats
from lab.simulation import LIVE, START, sim_user_id, simulate_users
from routines import holdout
from routines.models import PlanItem

pytestmark = pytest.mark.django_db


def test_the_live_run_follows_each_users_group_and_rolls_up(task_library, settings):
    settings.HOLDOUT_SHARE, settings.HOLDOUT_SALT = 0.5, "simulation-holdout"
    users, days = 6, 4
    simulate_users(users, days, 3, (LIVE,), "medium")
    groups = set()
    for key in range(users):
        user = sim_user_id(LIVE, 3, key)
        held_out = holdout.in_holdout(user)
        groups.add(held_out)
        policies = set(PlanItem.objects.filter(user_id=user).values_list("policy", flat=True))
        assert policies == ({"static-v1:holdout"} if held_out else {"adaptive-v3"})
    assert groups == {True, False}
    last = START + timedelta(days=days - 1)
    rollup_days(START, last, last + timedelta(days=1))
    clusters = holdout_clusters(START, last)
    assert sum(c.user_days for c in clusters) == users * days
    assert sum(window_users(START, last).values()) == users
    assert HoldoutUserDay.objects.count() == users * days  # the full client: every day active


def test_the_arms_without_the_holdout_are_unchanged(task_library, settings):
    settings.HOLDOUT_SHARE, settings.HOLDOUT_SALT = 0.5, "simulation-holdout"
    simulate_users(3, 2, 3, ("static",), "medium")
    assert set(PlanItem.objects.values_list("policy", flat=True)) == {"static-v1"}


def test_clusters_of_workers_add_up():
    a = [HoldoutCluster("holdout", 1, 10, 50, 20), HoldoutCluster("treatment", 1, 9, 40, 30)]
    b = [HoldoutCluster("holdout", 1, 4, 20, 5)]
    assert _merge([a, b]) == [
        HoldoutCluster("holdout", 1, 14, 70, 25),
        HoldoutCluster("treatment", 1, 9, 40, 30),
    ]
    assert _add_users([{"holdout": 2}, {"holdout": 1, "treatment": 3}]) == {
        "holdout": 3,
        "treatment": 3,
    }


def test_the_table_says_whether_the_truth_is_inside():
    static, adaptive = WeekStats(planned=100, completed=40), WeekStats(planned=100, completed=50)
    static.user_days = adaptive.user_days = 10
    window = lift_of(START, START, [], {})
    check = HoldoutCheck(100, 28, 7, "medium", "full", 0.5, static, adaptive, window)
    assert check.true_lift("completion") == pytest.approx(0.25)
    assert "not enough data" in format_holdout_checks([check])
    inside = Interval(0.2, 0.1, 0.3)
    check.live = type(window)(START, START, window.treatment, window.holdout, inside, inside)
    table = format_holdout_checks([check])
    assert "| full | 0 / 0 | completion | +25.0% | +20.0% [+10.0%, +30.0%] | yes |" in table


def test_the_option_is_checked(db):
    with pytest.raises(CommandError, match="--holdout-share"):
        call_command("simulate", "--holdout-share", "0.7")


def test_a_workers_live_figures_count_only_the_live_users(task_library, settings):
    settings.HOLDOUT_SHARE = 0.0  # the slice sets its own; this layer is undone afterwards
    weeks, clusters, users = holdout_slice(6, 3, 3, "medium", None, "full", 0.5)
    assert set(weeks) == {"static", "adaptive"}
    assert sum(users.values()) == 6
    assert sum(c.user_days for c in clusters) == 6 * 3
