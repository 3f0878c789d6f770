from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lab.simulation import (
    HETEROGENEITY,
    SimulationResult,
    WeekStats,
    format_report,
    make_users,
    run_simulation,
)

pytestmark = pytest.mark.django_db


def test_small_run_reports_every_figure(task_library):
    result = run_simulation(users=4, days=8, seed=3, heterogeneity="high")
    assert set(result.weeks) == {"static", "adaptive", "oracle"}
    for weeks in result.weeks.values():
        assert len(weeks) == 2
        assert weeks[0].planned > 0 and weeks[0].users == 4
        assert 0.0 <= weeks[0].completion_rate <= 1.0
        assert weeks[0].repeat_rate == 0.0  # no next-day repeats with the shipped library
    assert result.lift(0) is not None
    report = format_report(result)
    for header in (
        "completion",
        "lift_vs_static",
        "regret_vs_oracle",
        "gap_closed",
        "hydration_variety",
        "next_day_repeats",
    ):
        assert header in report
    assert report.count("adaptive") == 2


def test_oracle_beats_static_when_tastes_stray(task_library):
    result = run_simulation(users=6, days=7, seed=5, heterogeneity="high")
    assert result.rate("oracle", 0) > result.rate("static", 0)


def test_same_seed_same_result(task_library):
    from feedback.models import UserTaskFeedback
    from profiles.models import UserPreferenceProfile
    from routines.models import Plan, TaskRotationState

    a = run_simulation(users=2, days=3, seed=11, policies=("adaptive",))
    for model in (UserTaskFeedback, Plan, TaskRotationState, UserPreferenceProfile):
        model.objects.all().delete()
    b = run_simulation(users=2, days=3, seed=11, policies=("adaptive",))
    assert [w.completed for w in a.weeks["adaptive"]] == [w.completed for w in b.weeks["adaptive"]]


def test_heterogeneity_widens_tastes():
    arms = ["movement/yoga", "movement/outdoor", "focus/reading"]
    low = make_users(50, 1, HETEROGENEITY["low"], arms)
    high = make_users(50, 1, HETEROGENEITY["high"], arms)
    spread = lambda users: sum(abs(v) for u in users for v in u.taste.values())  # noqa: E731
    assert spread(high) > 4 * spread(low)


def test_gap_closed_and_lift_arithmetic():
    result = SimulationResult(1, 7, 1, "medium")
    for policy, (planned, done) in {
        "static": (100, 50),
        "adaptive": (100, 60),
        "oracle": (100, 70),
    }.items():
        result.weeks[policy] = [WeekStats(planned=planned, completed=done, users=1)]
    assert result.lift(0) == pytest.approx(0.2)
    assert result.gap_closed(0) == pytest.approx(0.5)


def test_command_runs_in_worker_processes():
    out = StringIO()
    call_command(
        "simulate",
        "--users",
        "2",
        "--days",
        "2",
        "--workers",
        "1",
        "--policy",
        "static",
        stdout=out,
    )
    text = out.getvalue()
    assert "simulation: users=2 days=2 seed=7 heterogeneity=medium" in text
    assert "static" in text and "elapsed=" in text


@pytest.mark.parametrize("args", [["--users", "0"], ["--days", "400"], ["--workers", "0"]])
def test_command_rejects_bad_sizes(args):
    with pytest.raises(CommandError):
        call_command("simulate", *args, stdout=StringIO())
