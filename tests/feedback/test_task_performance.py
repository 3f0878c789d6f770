"""The task performance page's figures: from the daily rollups, per task and per variation
group, sorted and filtered; two queries whatever the history."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from feedback.rollup_reads import COUNT_COLUMNS, OutcomeTotals, category_outcomes
from feedback.rollups import rollup_days
from feedback.services import Outcome, record_outcomes
from feedback.task_performance import (
    DELETED_LABEL,
    STATIC_LABEL,
    PerformanceQuery,
    View,
    rows_by_group,
    rows_by_task,
    sort_rows,
    task_performance,
)
from library.models import Task
from library.selectors import TaskLabel
from routines.services import generate_plan

TODAY = date(2026, 11, 26)
DAY = TODAY - timedelta(days=2)


def totals(task=None, group="g", category="focus", **counts) -> OutcomeTotals:
    ratings = counts.pop("ratings", ())
    return OutcomeTotals(
        category=category,
        task_library_id=task,
        variation_group=group,
        counts={c.field: counts.get(c.field, 0) for c in COUNT_COLUMNS},
        rating_count=len(ratings),
        rating_sum=sum(ratings),
    )


# Pure: plain data in, rows out; no database.


def test_a_tasks_rollup_rows_become_one_row_with_its_current_name():
    a, b, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    labels = {
        a: TaskLabel("Alpha", "focus", "g1", True),
        b: TaskLabel("Beta", "focus", "g1", True),
        uuid.uuid4(): TaskLabel("Retired", "focus", "g2", False),  # idle and inactive: left out
    }
    rows = rows_by_task(
        [
            totals(a, "g1", planned=4, completed=2, ratings=(5, 3)),
            totals(a, "", completed=1, skipped_no_time=1),  # feedback of a replaced plan
            totals(None, "morning_hydration", "hydration", planned=3),
            totals(gone, "g3", planned=1, unanswered=1),
        ],
        labels,
    )
    by_label = {r.label: r for r in rows}
    assert set(by_label) == {"Alpha", "Beta", STATIC_LABEL, DELETED_LABEL}
    alpha = by_label["Alpha"].totals
    assert (alpha.planned, alpha.completed, alpha.skipped, alpha.outcomes) == (4, 3, 1, 4)
    assert alpha.completion_rate == 0.75 and alpha.average_rating == 4.0
    assert by_label["Beta"].totals.planned == 0  # active but not planned: still listed
    assert by_label[DELETED_LABEL].variation_group == "g3"
    assert [(k, n) for k, n, _ in by_label["Alpha"].segments] == [
        ("completed", 3),
        ("skipped", 1),
        ("unanswered", 0),
        ("swapped", 0),
    ]


def test_swaps_are_a_refusal_of_the_task_shown_sorted_and_charted():
    a, b = uuid.uuid4(), uuid.uuid4()
    labels = {a: TaskLabel("Alpha", "focus", "g1", True), b: TaskLabel("Beta", "focus", "g1", True)}
    rows = rows_by_task(
        [
            totals(a, "g1", planned=4, completed=1, swapped=3),
            totals(b, "g1", planned=4, completed=3, swapped=1),
        ],
        labels,
    )
    alpha = next(r for r in rows if r.label == "Alpha")
    assert (alpha.totals.swapped, alpha.totals.outcomes) == (3, 4)
    assert alpha.totals.completion_rate == 0.25
    assert ("swapped", 3, 75.0) in alpha.segments
    assert [r.label for r in sort_rows(rows, "-swapped")] == ["Alpha", "Beta"]


def test_groups_take_the_task_s_current_group_when_none_was_recorded():
    a, b = uuid.uuid4(), uuid.uuid4()
    labels = {a: TaskLabel("Alpha", "focus", "g1", True), b: TaskLabel("Beta", "focus", "g1", True)}
    rows = rows_by_group(
        [totals(a, "g1", planned=2, completed=1), totals(b, "", skipped_forgot=1)], labels
    )
    (group,) = rows
    assert (group.label, group.tasks, group.totals.completed, group.totals.skipped) == (
        "g1",
        2,
        1,
        1,
    )


def test_sorting_either_way_keeps_rows_without_a_value_last():
    labels = {uuid.uuid4(): TaskLabel(n, "focus", "g", True) for n in ("b", "a", "c")}
    ids = list(labels)
    rows = rows_by_task(
        [
            totals(ids[0], completed=1, unanswered=1, planned=5),  # b: 50 %
            totals(ids[1], completed=1, planned=1),  # a: 100 %
        ],
        labels,
    )  # c: no outcomes, no rate
    assert [r.label for r in sort_rows(rows, "completion_rate")] == ["b", "a", "c"]
    assert [r.label for r in sort_rows(rows, "-completion_rate")] == ["a", "b", "c"]
    assert [r.label for r in sort_rows(rows, "-planned")] == ["b", "a", "c"]
    assert [r.label for r in sort_rows(rows, "name")] == ["a", "b", "c"]
    assert [r.label for r in sort_rows(rows, "no-such-column")] == ["b", "a", "c"]


# Against the database: what users did, rolled up, read back.


def _at(day: date) -> datetime:
    return datetime.combine(day, time(21, 0), tzinfo=UTC)


@pytest.fixture
def answered(task_library):
    """Two users' plans on DAY: one answers four items, the other nothing (its items are
    unexposed); both days rolled up."""
    user, silent = uuid.uuid4(), uuid.uuid4()
    items = generate_plan(user, "Peak Performer", DAY, "high").items
    quiet = generate_plan(silent, "Foundation Builder", DAY, "low").items
    record_outcomes(
        user,
        [
            Outcome(items[0].id, True, satisfaction_rating=4),
            Outcome(items[1].id, True, satisfaction_rating=2),
            Outcome(items[2].id, False, skip_reason="no_time"),
            Outcome(items[3].id, False),
        ],
        now=_at(DAY),
    )
    rollup_days(DAY - timedelta(days=1), TODAY - timedelta(days=1), TODAY)
    return items, quiet


def query(**kw) -> PerformanceQuery:
    return PerformanceQuery(since=TODAY - timedelta(days=28), until=TODAY - timedelta(days=1), **kw)


@pytest.mark.django_db
def test_per_task_figures_are_what_users_did(answered):
    answered, quiet = answered
    report = task_performance(query())
    row = {r.task_id: r for r in report.rows}
    first, third, fourth = (row[answered[i].task_library_id].totals for i in (0, 2, 3))
    assert (first.planned, first.completed, first.average_rating) >= (1, 1, 2.0)
    assert third.count("skipped_no_time") >= 1 and fourth.count("skipped_other") >= 1
    # The rows add up to the dashboard's category totals: one definition underneath.
    assert report.overall.outcomes == sum(c.outcomes for c in category_outcomes(DAY, DAY))
    assert report.overall.planned == len(answered) + len(quiet)
    assert report.overall.completed == 2 and report.overall.skipped == 2
    assert report.overall.unanswered == len(answered) - 4  # the silent user's are unexposed


@pytest.mark.django_db
def test_filters_narrow_the_rows(answered):
    answered, quiet = answered
    everyone = task_performance(query()).overall
    peak = task_performance(query(archetype="Peak Performer")).overall
    low = task_performance(query(readiness_mode="low")).overall
    assert (peak.planned, low.planned) == (len(answered), len(quiet))
    assert peak.completed == 2 and low.completed == 0
    focus = task_performance(query(category="focus"))
    assert focus.rows and {r.category for r in focus.rows} == {"focus"}
    assert focus.overall.planned == sum(1 for i in answered + quiet if i.category == "focus")
    assert len(focus.rows) == Task.objects.filter(category="focus", is_active=True).count()
    group = answered[0].variation_group
    one_group = task_performance(query(variation_group=group))
    assert {r.variation_group for r in one_group.rows} == {group}
    groups = task_performance(query(view=View.GROUP))
    assert groups.overall.planned == everyone.planned
    assert len({r.label for r in groups.rows}) == len(groups.rows)


@pytest.mark.django_db
def test_two_queries_however_long_the_history(answered, django_assert_num_queries):
    with django_assert_num_queries(2):
        small = task_performance(query())
    for n in range(1, 6):
        user = uuid.uuid4()
        day = DAY - timedelta(days=n)
        items = generate_plan(user, "Connected Explorer", day).items
        record_outcomes(user, [Outcome(items[0].id, True)], now=_at(day))
    rollup_days(DAY - timedelta(days=6), TODAY - timedelta(days=1), TODAY)
    with django_assert_num_queries(2):
        big = task_performance(query())
    with django_assert_num_queries(2):
        task_performance(query(view=View.GROUP, archetype="Peak Performer", category="focus"))
    assert big.overall.planned > small.overall.planned
