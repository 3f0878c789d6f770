"""The holdout's lift: the bootstrap on hand-built clusters, and end to end from outcomes."""

import uuid
from datetime import date, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from feedback import lift
from feedback.lift import Cluster, Interval, bootstrap_lift, lift_between, lift_of
from feedback.lift_display import NOT_ENOUGH, lift_rows, report_lines
from feedback.models import HoldoutBucketDay, HoldoutUserDay, HoldoutWindowUsers, UserTaskFeedback
from feedback.rollup_reads import HoldoutCluster, HoldoutDay, holdout_users, window_users
from feedback.rollups import rollup_days
from routines import holdout
from routines.models import Plan, PlanItem, TimeBlock

TODAY = date(2026, 11, 26)
DAYS = [TODAY - timedelta(days=n) for n in (3, 2, 1)]
SALT = "lift-test"
ITEMS_A_DAY = 5


# ---- the bootstrap, pure -------------------------------------------------------------------


def _clusters(pairs):
    return [Cluster(done, seen) for done, seen in pairs]


def test_equal_groups_give_a_lift_of_zero_inside_the_interval():
    groups = _clusters([(3, 5), (2, 5), (4, 5), (1, 5)] * 10)
    result = bootstrap_lift(groups, groups)
    assert result.estimate == 0
    assert result.low < 0 < result.high


def test_a_clear_lift_is_estimated_and_its_interval_excludes_zero():
    treatment = _clusters([(2, 5), (4, 5)] * 30)  # 60%
    held = _clusters([(1, 5), (3, 5)] * 30)  # 40%
    result = bootstrap_lift(treatment, held)
    assert result.estimate == pytest.approx(0.5)
    assert 0 < result.low < 0.5 < result.high < 1.2
    assert not result.below_zero


def test_the_bootstrap_is_seeded():
    treatment, held = _clusters([(2, 5), (4, 5), (3, 4)] * 9), _clusters([(1, 5), (3, 5)] * 9)
    assert bootstrap_lift(treatment, held) == bootstrap_lift(treatment, held)
    assert bootstrap_lift(treatment, held, seed=1) != bootstrap_lift(treatment, held, seed=2)


def test_a_harmful_policy_has_its_interval_below_zero():
    result = bootstrap_lift(_clusters([(1, 5), (2, 5)] * 40), _clusters([(3, 5), (4, 5)] * 40))
    assert result.high < 0 and result.below_zero


def test_nothing_to_compare_gives_no_lift():
    assert bootstrap_lift([], _clusters([(1, 5)])) is None
    assert bootstrap_lift(_clusters([(1, 5)]), _clusters([(0, 5)])) is None


def test_below_the_minimum_there_is_no_lift_only_figures():
    clusters = [
        HoldoutCluster("treatment", 1, 100, 500, 300),
        HoldoutCluster("holdout", 2, 100, 500, 200),
    ]
    users = {"treatment": lift.MIN_USERS_PER_GROUP, "holdout": lift.MIN_USERS_PER_GROUP - 1}
    window = lift_of(DAYS[0], DAYS[-1], clusters, users)
    assert window.treatment.users == lift.MIN_USERS_PER_GROUP
    assert not window.enough_data
    assert window.completion_lift is None and window.per_day_lift is None
    assert [row.lift for row in lift_rows(window)][2:] == [NOT_ENOUGH, NOT_ENOUGH]


def test_the_weekly_trend_sums_days_into_calendar_weeks():
    monday = date(2026, 11, 16)
    days = [
        HoldoutDay(monday, "treatment", 2, 10, 6),
        HoldoutDay(monday + timedelta(days=3), "treatment", 2, 10, 4),
        HoldoutDay(monday + timedelta(days=3), "holdout", 1, 5, 1),
        HoldoutDay(monday + timedelta(days=7), "holdout", 1, 5, 2),
    ]
    trend = lift.weekly_trend(days)
    assert [(w.week, w.treatment, w.holdout) for w in trend] == [
        (monday, 0.5, 0.2),
        (monday + timedelta(days=7), None, 0.4),
    ]


# ---- end to end: hand-built outcomes, the nightly rollup, the read -------------------------


@pytest.fixture
def holdout_on(settings):
    settings.HOLDOUT_SHARE = 0.5
    settings.HOLDOUT_SALT = SALT


def _users(count: int) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    treatment, held = [], []
    for n in range(10_000):
        user = uuid.UUID(int=n * 104729 + 17)
        (held if holdout.is_held_out(user, 0.5, SALT) else treatment).append(user)
        if len(treatment) >= count and len(held) >= count:
            return treatment[:count], held[:count]
    raise AssertionError("not enough ids")


def _build(user: uuid.UUID, day: date, completed: int, skipped: int) -> None:
    """A plan of ITEMS_A_DAY items; `completed` completions, `skipped` skips, the rest
    unanswered (or, with no feedback at all, a silent, unexposed day)."""
    plan = Plan.objects.create(
        user_id=user,
        date=day,
        archetype="Foundation Builder",
        plan_type="dynamic_routine",
        wake_time=time(6),
        readiness_mode="medium",
        model_used="task_library_v1",
    )
    block = TimeBlock.objects.create(
        plan=plan,
        position=0,
        block_name="Morning",
        start_time=time(6),
        end_time=time(9),
        zone_type="maintenance",
        purpose="test",
        time_of_day="morning",
    )
    items = PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            time_block=block,
            position=n,
            user_id=user,
            scheduled_date=day,
            scheduled_time=time(6, n),
            end_time=time(6, n + 1),
            title="Task",
            priority="medium",
            estimated_duration_minutes=5,
            category="hydration",
            time_of_day="morning",
            is_dynamic=True,
        )
        for n in range(ITEMS_A_DAY)
    )
    UserTaskFeedback.objects.bulk_create(
        UserTaskFeedback(
            user_id=user,
            plan_item_id=item.id,
            scheduled_date=day,
            scheduled_time=item.scheduled_time,
            category="hydration",
            completed=n < completed,
            skipped=n >= completed,
        )
        for n, item in enumerate(items[: completed + skipped])
    )


def build_outcomes(days: list[date]) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """40 users a group over three days. Treatment completes 2 or 4 of 5 (60%), the holdout
    1 or 3 (40%) with one skip; every user's last day is silent (not an active day)."""
    treatment, held = _users(40)
    for group, base in ((treatment, 2), (held, 1)):
        for n, user in enumerate(group):
            done = base + 2 * (n % 2)
            _build(user, days[0], done, 1 if group is held else 0)
            _build(user, days[1], done, 1 if group is held else 0)
            _build(user, days[2], 0, 0)  # silent
    return treatment, held


@pytest.fixture
def outcomes(holdout_on, db):
    return build_outcomes(DAYS)


def test_the_nightly_rollup_writes_each_active_user_day_with_its_group(outcomes):
    treatment, held = outcomes
    report = rollup_days(DAYS[0], DAYS[-1], TODAY)
    assert report.holdout_rows == 160 == HoldoutUserDay.objects.count()
    groups = dict(HoldoutUserDay.objects.values_list("user_id", "group").distinct())
    assert {groups[u] for u in treatment} == {"treatment"}
    assert {groups[u] for u in held} == {"holdout"}
    assert not HoldoutUserDay.objects.filter(day=DAYS[2]).exists()  # silent: not active
    row = HoldoutUserDay.objects.get(user_id=held[1], day=DAYS[0])
    assert (row.outcomes, row.completed, row.bucket) == (5, 3, holdout.bucket_of(held[1], SALT))
    # Their sums per day, group and bucket, and each dashboard window's distinct users.
    sums = HoldoutBucketDay.objects.filter(day=DAYS[0], group="holdout")
    assert sum(b.user_days for b in sums) == 40 and sum(b.completed for b in sums) == 80
    assert set(HoldoutWindowUsers.objects.values_list("days", "group", "users")) == {
        (days, group, 40) for days in (7, 28, 90) for group in ("treatment", "holdout")
    }
    # Idempotent.
    rollup_days(DAYS[0], DAYS[-1], TODAY)
    assert HoldoutUserDay.objects.count() == 160
    assert HoldoutBucketDay.objects.aggregate(n=Sum("user_days"))["n"] == 160
    assert HoldoutWindowUsers.objects.count() == 6


def test_the_lift_and_its_interval_on_hand_built_outcomes(outcomes):
    rollup_days(DAYS[0], DAYS[-1], TODAY)
    window = lift_between(DAYS[0], DAYS[-1])
    assert (window.treatment.users, window.holdout.users) == (40, 40)
    assert (window.treatment.user_days, window.holdout.user_days) == (80, 80)
    assert window.treatment.completion_rate == pytest.approx(0.6)
    assert window.holdout.completion_rate == pytest.approx(0.4)
    assert window.treatment.tasks_per_day == 3 and window.holdout.tasks_per_day == 2
    assert window.completion_lift.estimate == pytest.approx(0.5)
    assert window.per_day_lift.estimate == pytest.approx(0.5)
    for interval in (window.completion_lift, window.per_day_lift):
        assert 0 < interval.low < 0.5 < interval.high
    assert not window.below_zero


def test_no_holdout_rows_are_written_while_the_holdout_is_off(outcomes, settings):
    settings.HOLDOUT_SHARE = 0.0
    assert rollup_days(DAYS[0], DAYS[-1], TODAY).holdout_rows == 0
    assert not HoldoutUserDay.objects.exists()


def test_reads_cost_a_fixed_number_of_queries(outcomes, django_assert_num_queries):
    rollup_days(DAYS[0], DAYS[-1], TODAY)
    # A range the nightly run did not count users for: sums, stored users (none), live count.
    with django_assert_num_queries(3):
        lift_between(DAYS[0], DAYS[-1])
    # The dashboard's windows: sums and stored users each, and the trend.
    with django_assert_num_queries(7):
        windows, _ = lift.dashboard_lift(TODAY)
    assert [w.holdout.users for w in windows] == [40, 40, 40]


def test_stored_window_users_equal_the_live_count(outcomes):
    rollup_days(DAYS[0], DAYS[-1], TODAY)
    since, until = lift.window(28, TODAY)
    assert (
        holdout_users(since, until)
        == window_users(since, until)
        == {
            "treatment": 40,
            "holdout": 40,
        }
    )


def _report(*args) -> str:
    out = StringIO()
    call_command("lift_report", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_figures(outcomes):
    rollup_days(DAYS[0], DAYS[-1], TODAY)
    output = _report("--since", str(DAYS[0]), "--until", str(DAYS[-1]))
    assert output.strip().splitlines() == report_lines(lift_between(DAYS[0], DAYS[-1]))
    assert "60.0%" in output and "40.0%" in output and "+50.0% [" in output


def test_the_command_fails_when_the_interval_is_below_zero(outcomes, monkeypatch):
    harmful = Interval(-0.3, -0.4, -0.1)
    real = lift.lift_of

    def worse(since, until, clusters, users):
        window = real(since, until, clusters, users)
        return lift.LiftWindow(since, until, window.treatment, window.holdout, harmful, None)

    monkeypatch.setattr(lift, "lift_of", worse)
    with pytest.raises(CommandError, match="entirely below zero"):
        _report("--since", str(DAYS[0]), "--until", str(DAYS[-1]))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "2026-13-01", "--until", "2026-11-20"], "--since must be YYYY-MM-DD"),
        (["--since", "2026-11-20", "--until", "2026-11-01"], "is after --until"),
    ],
)
def test_bad_dates_are_refused(db, args, message):
    with pytest.raises(CommandError, match=message):
        _report(*args)


def test_erasure_takes_a_users_holdout_days_along(outcomes):
    from privacy.services import erase_user

    treatment, _ = outcomes
    rollup_days(DAYS[0], DAYS[-1], TODAY)
    erase_user(treatment[0])
    assert not HoldoutUserDay.objects.filter(user_id=treatment[0]).exists()
    assert HoldoutUserDay.objects.count() == 158
