"""Daily rollups equal the live outcome model, and stay so when recomputed."""

import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from feedback.dashboard import live_success_metrics, success_metrics
from feedback.models import (
    DailyOutcomeRollup,
    DailyPlanRollup,
    HydrationVarietyRollup,
    UserTaskFeedback,
)
from feedback.outcomes import item_outcomes
from feedback.rollup_reads import task_outcomes
from feedback.rollups import LOOKBACK_DAYS, rollup_days, stretches_ending, week_chunks
from feedback.services import Outcome, record_outcomes
from routines.models import PlanItem
from routines.services import generate_plan
from tests.factories import PlanFactory, PlanItemFactory, ProfileFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)  # a Thursday: windows cut weeks on both sides
FIRST = TODAY - timedelta(days=30)
REASONS = ["too_hard", "no_time", "not_interested", "forgot", None]
ARCHETYPES = ["Peak Performer", "Foundation Builder", "Connected Explorer"]


def _at(day: date, hour: int = 21) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def _answer(rng: random.Random, user, items, day: date) -> None:
    """Answer part of a day's items: completions, skips with and without reasons, ratings."""
    outcomes = []
    for item in items:
        if rng.random() < 0.4:
            continue  # unanswered on an active day
        done = rng.random() < 0.6
        rating = rng.choice([None, 1, 3, 5])  # drawn always, so the draws stay in step
        outcomes.append(
            Outcome(
                item.id,
                done,
                satisfaction_rating=rating if done else None,  # ratings are for completions
                skip_reason=None if done else rng.choice(REASONS),
            )
        )
    if outcomes:
        record_outcomes(user, outcomes, now=_at(day))


@pytest.fixture
def histories(task_library):
    """Four users over a month: silent days, replaced plans, late wake times, ratings."""
    rng = random.Random(18)
    for n in range(4):
        user = uuid.uuid4()
        archetype = ARCHETYPES[n % len(ARCHETYPES)]
        wake = time(5, 0) if n % 2 else time(10, 30)  # late wake: Wind Down after midnight
        for offset in range(rng.randint(0, 5), 32):
            day = FIRST + timedelta(days=offset)
            mode = rng.choice(["low", "medium", "high"])
            stored = generate_plan(user, archetype, day, mode, {"wake_time": wake})
            if day >= TODAY or rng.random() < 0.2:
                continue  # not yet, or a day the plan was not seen (unexposed)
            _answer(rng, user, stored.items, day)
            if rng.random() < 0.15:  # replaced after feedback: the feedback outlives its items
                replaced = generate_plan(user, archetype, day, mode, regenerate=True)
                _answer(rng, user, replaced.items[:3], day)
    static = PlanFactory(date=TODAY - timedelta(days=2), plan_type="static_routine")
    PlanItemFactory.create_batch(3, time_block__plan=static)  # served without the library


def _live_cells(since: date, until: date, today: date) -> Counter:
    """(day, category, mode, state) -> outcomes, straight from the outcome model."""
    users = list(PlanItem.objects.values_list("user_id", flat=True).distinct())
    users += list(UserTaskFeedback.objects.values_list("user_id", flat=True).distinct())
    cells: Counter = Counter()
    for o in item_outcomes(users, since, today):
        if o.day <= until:
            cells[(o.day, o.group.category, o.group.mode, o.group.state)] += 1
    return cells


def _rolled_cells() -> Counter:
    cells: Counter = Counter()
    for row in DailyOutcomeRollup.objects.all():
        for state, n in (
            ("completed", row.completed),
            ("skipped", row.skipped),
            ("unanswered", row.unanswered),
        ):
            if n:
                cells[(row.day, row.category, row.readiness_mode, state)] += n
    return cells


def _snapshot() -> list:
    return [
        sorted(
            (tuple(v for k, v in row.items() if k != "id") for row in model.objects.values()),
            key=repr,
        )
        for model in (DailyOutcomeRollup, DailyPlanRollup, HydrationVarietyRollup)
    ]


def test_rollups_equal_the_live_outcome_model(histories):
    until = TODAY - timedelta(days=1)
    rollup_days(FIRST, until, TODAY)
    assert _rolled_cells() == _live_cells(FIRST, until, TODAY)
    planned = Counter(
        (i.scheduled_date, i.category)
        for i in PlanItem.objects.filter(scheduled_date__gte=FIRST, scheduled_date__lte=until)
    )
    rolled = Counter()
    for row in DailyOutcomeRollup.objects.filter(planned__gt=0):
        rolled[(row.day, row.category)] += row.planned
    assert rolled == planned
    assert DailyOutcomeRollup.objects.filter(rating_count__gt=0).exists()
    assert DailyOutcomeRollup.objects.filter(skipped_forgot__gt=0).exists()


@pytest.mark.parametrize("days", [1, 3, 7, 28])
def test_dashboard_from_rollups_equals_the_live_figures(histories, days):
    rollup_days(FIRST, TODAY - timedelta(days=1), TODAY)
    rolled, live = success_metrics(days, TODAY), live_success_metrics(days, TODAY)
    assert rolled == live
    assert live.plans and live.items_with_feedback and live.user_weeks
    if days >= 3:
        assert live.dynamic_plans < live.plans


def test_late_feedback_is_caught_by_a_recompute(histories):
    until = TODAY - timedelta(days=1)
    rollup_days(FIRST, until, TODAY)
    before = success_metrics(7, TODAY)
    silent = PlanItem.objects.filter(scheduled_date=until, feedback__isnull=True).first()
    record_outcomes(
        silent.user_id, [Outcome(silent.id, True, satisfaction_rating=5)], _at(TODAY, 8)
    )
    assert success_metrics(7, TODAY) == before  # rolled up: stale until recomputed
    rollup_days(until, until, TODAY)
    assert success_metrics(7, TODAY) == live_success_metrics(7, TODAY) != before


def test_rolling_up_twice_changes_nothing(histories):
    until = TODAY - timedelta(days=1)
    rollup_days(FIRST, until, TODAY)
    first = _snapshot()
    rollup_days(FIRST, until, TODAY)
    assert _snapshot() == first
    rollup_days(TODAY - timedelta(days=10), TODAY - timedelta(days=4), TODAY)  # a sub-range
    assert _snapshot() == first


def test_a_range_recompute_touches_only_its_days(histories):
    until = TODAY - timedelta(days=1)
    rollup_days(FIRST, until, TODAY)
    DailyOutcomeRollup.objects.update(completed=0)  # damaged everywhere
    rollup_days(until - timedelta(days=2), until, TODAY)
    repaired = DailyOutcomeRollup.objects.filter(day__gte=until - timedelta(days=2))
    assert sum(r.completed for r in repaired) > 0
    assert not DailyOutcomeRollup.objects.filter(day__lt=until - timedelta(days=2), completed__gt=0)


def test_only_closed_days_roll_up():
    with pytest.raises(ValueError, match="not a closed day"):
        rollup_days(TODAY - timedelta(days=1), TODAY, TODAY)
    with pytest.raises(ValueError, match="after"):
        rollup_days(TODAY - timedelta(days=1), TODAY - timedelta(days=2), TODAY)


def test_a_rollup_run_costs_statements_per_week_not_per_row(
    histories, django_assert_max_num_queries
):
    # Lock and planner settings (PostgreSQL), three deletes and three inserts a calendar
    # week, in a savepoint.
    with django_assert_max_num_queries(2 + 1 + 6 * 2):
        rollup_days(TODAY - timedelta(days=LOOKBACK_DAYS), TODAY - timedelta(days=1), TODAY)


def test_dashboard_queries_do_not_grow_with_rows(task_library, django_assert_num_queries):
    user = uuid.uuid4()
    day = TODAY - timedelta(days=2)
    _answer(random.Random(1), user, generate_plan(user, ARCHETYPES[0], day).items, day)
    rollup_days(FIRST, TODAY - timedelta(days=1), TODAY)
    with django_assert_num_queries(3):
        small = success_metrics(28, TODAY)
    for n in range(5):
        other = uuid.uuid4()
        items = generate_plan(other, ARCHETYPES[n % 3], day - timedelta(days=n)).items
        _answer(random.Random(n), other, items, day - timedelta(days=n))
    rollup_days(FIRST, TODAY - timedelta(days=1), TODAY)
    with django_assert_num_queries(3):
        big = success_metrics(28, TODAY)
    assert big.items_due > small.items_due


def test_task_outcomes_filter_by_archetype_and_mode(histories):
    rollup_days(FIRST, TODAY - timedelta(days=1), TODAY)
    since = TODAY - timedelta(days=28)
    everyone = task_outcomes(since, TODAY)
    peak = task_outcomes(since, TODAY, archetype="Peak Performer")
    low = task_outcomes(since, TODAY, readiness_mode="low")
    assert 0 < sum(r.planned for r in peak) < sum(r.planned for r in everyone)
    assert 0 < sum(r.planned for r in low) < sum(r.planned for r in everyone)
    rated = [r for r in everyone if r.rating_count]
    assert rated and all(1 <= r.average_rating <= 5 for r in rated)
    static = [r for r in everyone if r.task_library_id is None]  # the static plan's items
    assert [(r.variation_group, r.planned, r.outcomes) for r in static] == [
        ("morning_hydration", 3, 0)
    ]


def test_the_grouping_key_is_unique_even_without_a_task():
    row = dict(day=TODAY, category="hydration", task_library_id=None, planned=1)
    DailyOutcomeRollup.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyOutcomeRollup.objects.create(**row)


def test_counts_cannot_go_negative_and_ratings_stay_in_range():
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyOutcomeRollup.objects.create(day=TODAY, category="focus", planned=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyOutcomeRollup.objects.create(day=TODAY, category="focus", rating_count=1, rating_sum=6)


def test_stretches_cover_every_cut_of_a_week():
    monday = date(2026, 11, 23)
    assert week_chunks(monday - timedelta(days=2), monday + timedelta(days=1)) == [
        (monday - timedelta(days=2), monday - timedelta(days=1)),
        (monday, monday + timedelta(days=1)),
    ]
    sunday = monday + timedelta(days=6)
    assert len(stretches_ending(monday, sunday)) == 28
    assert stretches_ending(sunday, sunday)[0] == (monday, sunday)


def run_command(*args) -> str:
    out = StringIO()
    call_command("rollup_outcomes", *args, stdout=out)
    return out.getvalue()


def test_the_command_recomputes_a_range(histories):
    output = run_command("--since", str(FIRST), "--until", str(TODAY - timedelta(days=1)))
    assert "outcome_rows=" in output
    assert success_metrics(28, TODAY) == live_success_metrics(28, TODAY)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--since", "2026-13-01", "--until", "2026-11-02"], "--since must be YYYY-MM-DD"),
        (["--since", "2026-11-05", "--until", "2026-11-02"], "is after"),
        (["--since", "2026-11-05", "--until", "2999-01-01"], "not a closed day"),
    ],
)
def test_the_command_refuses_bad_ranges(db, args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)
    assert not DailyOutcomeRollup.objects.exists()


def test_the_nightly_run_rolls_up_the_lookback(histories):
    ProfileFactory()
    call_command(
        "regenerate_plans", "--date", str(TODAY), "--all", stdout=StringIO(), stderr=StringIO()
    )
    days = set(DailyOutcomeRollup.objects.values_list("day", flat=True))
    assert days == {TODAY - timedelta(days=n) for n in range(1, LOOKBACK_DAYS + 1)}
    assert DailyPlanRollup.objects.filter(day=TODAY - timedelta(days=1)).exists()


@pytest.mark.parametrize("who", [["--user"], ["--all", "--shard", "2/2"], ["--all", "--dry-run"]])
def test_only_one_full_nightly_run_rolls_up(task_library, who):
    profile = ProfileFactory()
    PlanFactory(user_id=profile.user_id, date=TODAY - timedelta(days=1))
    args = [*who, str(profile.user_id)] if who == ["--user"] else who
    call_command("regenerate_plans", "--date", str(TODAY), *args, stdout=StringIO())
    assert not DailyPlanRollup.objects.exists()


@pytest.mark.postgres
def test_the_dashboard_reads_rollups_through_their_indexes(db):
    """With sequential scans priced out, each read must find an index that serves it."""
    from django.db import connection

    since, until = TODAY - timedelta(days=28), TODAY - timedelta(days=1)
    reads = {
        "idx_outcome_rollup_day": DailyOutcomeRollup.objects.filter(day__gte=since, day__lte=until),
        "plan_rollup_one_per_group": DailyPlanRollup.objects.filter(day__gte=since, day__lte=until),
        "hydration_variety_one_per_stretch": HydrationVarietyRollup.objects.filter(
            last_day__in=[until, TODAY - timedelta(days=8)]
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for index, queryset in reads.items():
            assert index in queryset.explain()
