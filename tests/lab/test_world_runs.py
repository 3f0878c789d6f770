"""Runs in a world with the peer: the figures per policy, the reports, and the command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lab.reports import format_report, format_world_summary
from lab.results import SimulationResult, WeekStats
from lab.simulation import ALL_POLICIES, run_simulation
from lab.worlds import WORLDS

pytestmark = pytest.mark.django_db


def _week(per_user: dict[int, tuple[int, int]], days: int = 7) -> WeekStats:
    stats = WeekStats(users=len(per_user), user_days=days * len(per_user))
    for key, (done, planned) in per_user.items():
        stats.per_user[key] = [done, planned]
        stats.completed += done
        stats.planned += planned
    return stats


def _result(world: str = "load") -> SimulationResult:
    """Two users, two weeks; per user (completed, planned) of 100 items a week."""
    result = SimulationResult(2, 14, 1, "medium", "completions", world)
    by_policy = {
        "static": [{0: (50, 100), 1: (50, 100)}, {0: (50, 100), 1: (50, 100)}],
        "adaptive": [{0: (48, 100), 1: (52, 100)}, {0: (70, 100), 1: (44, 100)}],
        "peer": [{0: (40, 100), 1: (50, 100)}, {0: (60, 100), 1: (46, 100)}],
        "oracle": [{0: (80, 100), 1: (80, 100)}, {0: (80, 100), 1: (80, 100)}],
    }
    for policy, weeks in by_policy.items():
        result.weeks[policy] = [_week(week) for week in weeks]
    return result


def test_last_week_figures():
    result = _result()
    assert result.rate("adaptive", 1) == pytest.approx(0.57)
    assert result.rate("adaptive", 1, "per_day") == pytest.approx(114 / 14)
    assert result.lift(1, "adaptive") == pytest.approx(0.14)
    assert result.lift(1, "peer", "per_day") == pytest.approx(0.06)
    assert result.gap_closed(1) == pytest.approx(7 / 30)
    assert result.gap_closed(1, "peer") == pytest.approx(3 / 30)
    assert result.worst_lift("adaptive") == (0, pytest.approx(0.0))
    assert result.worst_lift("peer") == (0, pytest.approx(-0.1))
    # User 1 lost 6 points under adaptive in week 2 (harmed), 4 under the peer (not).
    assert result.harmed_share(1, "adaptive") == 0.5
    assert result.harmed_share(1, "peer") == 0.0
    assert result.harmed_share(0, "peer") == 0.5  # user 0: 40% against 50%
    assert result.harmed_share(1, "static") is None
    assert result.ratio(1, "completion") == pytest.approx(57 / 53)
    merged = WeekStats()
    for week in result.weeks["peer"]:
        merged.add(week)
    assert merged.per_user == {0: [100, 200], 1: [96, 200]} and merged.user_days == 28


def test_report_has_the_new_columns_and_the_last_week():
    text = format_report(_result())
    assert "client=completions world=load" in text.splitlines()[0]
    header = text.splitlines()[1]
    for column in ("tasks_per_day", "lift_per_day", "users_harmed", "mean_propensity"):
        assert column in header
    last = text[text.index("last week (week 2)") :].splitlines()
    assert "worst_week_lift" in last[1] and "adaptive_vs_peer_per_day" in last[1]
    adaptive = last[3].split()
    assert adaptive[:7] == ["adaptive", "57.0%", "8.14", "+14.0%", "+14.0%", "+23.3%", "+0.0%"]
    assert adaptive[8:] == ["50.0%", "x1.075", "x1.075"]
    peer = last[4].split()
    assert peer[:2] == ["peer", "53.0%"] and peer[6:8] == ["-10.0%", "(w1)"]


def test_world_summary_has_a_row_per_world_and_policy():
    lines = format_world_summary([_result("standard"), _result("injury")]).splitlines()
    assert "users_harmed" in lines[0] + lines[1] and "adaptive_vs_peer" in lines[1]
    rows = [line.split()[:4] for line in lines[2:]]
    assert rows == [
        [world, "completions", "medium", policy]
        for world in ("standard", "injury")
        for policy in ("static", "adaptive", "peer", "oracle")
    ]


def test_a_tiny_world_run_with_the_peer(task_library):
    """Two users, a week, the load world, static and peer, through the real database."""
    from routines.models import PlanItem

    result = run_simulation(
        users=2, days=7, seed=3, policies=("static", "peer"), world="load", client="mixed"
    )
    assert result.world == "load" and set(result.weeks) == {"static", "peer"}
    for weeks in result.weeks.values():
        week = weeks[0]
        assert week.users == 2 and week.user_days == 14 and set(week.per_user) == {0, 1}
        assert sum(done for done, _ in week.per_user.values()) == week.completed
        assert 0 < week.completed < week.planned
    policies = set(PlanItem.objects.values_list("policy", flat=True))
    assert "peer-mabwiser-ts" in policies and "static-v1" in policies
    text = format_report(result)
    assert "world=load" in text and text.count("\npeer ") == 1


def test_mode_difficulty_plans_each_day_for_its_mode(task_library):
    from lab.simulation import START, sim_user_id
    from lab.worlds import make_world_users
    from library.selectors import active_candidates
    from routines.models import Plan

    run_simulation(users=1, days=5, seed=4, policies=("static",), world="mode_difficulty")
    person = make_world_users("mode_difficulty", 1, 4, 1.3, active_candidates())[0]
    plans = Plan.objects.filter(user_id=sim_user_id("static", 4, 0)).order_by("date")
    modes = [plan.readiness_mode for plan in plans]
    assert [plan.date for plan in plans] == [START + timedelta(days=d) for d in range(5)]
    assert modes == [person.day_mode(4, offset) for offset in range(5)]


def test_command_runs_every_world_and_summarises(task_library, monkeypatch):
    from lab.management.commands import simulate

    calls = []

    def in_process(**kwargs):
        calls.append((kwargs["world"], kwargs["heterogeneity"], kwargs["policies"]))
        return run_simulation(**{**kwargs, "workers": 0})

    monkeypatch.setattr(simulate, "run_simulation", in_process)
    out = StringIO()
    call_command(
        "simulate", *("--users", "1", "--days", "1", "--workers", "1", "--world", "all"), stdout=out
    )
    assert calls == [(world, "medium", ALL_POLICIES) for world in WORLDS]
    text = out.getvalue()
    summary = text[text.index("summary: worlds") :].splitlines()
    assert [line.split()[0] for line in summary[2 : 2 + 4 * len(WORLDS)]] == [
        world for world in WORLDS for _ in ALL_POLICIES
    ]


def test_command_keeps_worlds_at_their_heterogeneity():
    with pytest.raises(CommandError, match="medium heterogeneity"):
        call_command("simulate", "--world", "load", "--heterogeneity", "high", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("simulate", "--world", "moon", stdout=StringIO())
