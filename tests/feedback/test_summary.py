import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from feedback import services
from feedback.selectors import weekly_summary
from feedback.services import Outcome, record_outcomes
from feedback.summary import CategoryWeek, KindWeek, WeeklySummary, explain_changes
from routines.models import PlanItem
from routines.services import generate_plan
from tests.factories import ProfileFactory

MONDAY = date(2026, 11, 16)


def summary(**overrides) -> WeeklySummary:
    values = dict(
        user_id="u",
        week_start=MONDAY,
        week_end=MONDAY + timedelta(days=6),
        tasks_scheduled=20,
        tasks_completed=12,
        previous_scheduled=20,
        previous_completed=8,
        current_streak=3,
        longest_streak=5,
        new_tasks_tried=["Sunset Walk"],
        categories=[],
        learning_phase="establishment",
        current_mode="medium",
    )
    return WeeklySummary(**(values | overrides))


def test_rates_and_change_in_points():
    s = summary()
    assert s.completion_rate == 0.6
    assert s.previous_completion_rate == 0.4
    assert s.completion_rate_change == 20.0
    assert summary(previous_scheduled=0).completion_rate_change is None
    assert summary(previous_scheduled=0).previous_completion_rate is None  # not 0.0


def test_strongest_and_weakest_need_enough_outcomes():
    s = summary(
        categories=[
            CategoryWeek("movement", 10, completed=9, skipped=1),
            CategoryWeek("focus", 6, completed=2, unanswered=4),  # silence counts
            CategoryWeek("hydration", 2, completed=2),  # too few to judge
        ]
    )
    assert s.strongest_category == "movement"
    assert s.weakest_category == "focus"


def test_a_category_counts_completed_skipped_unanswered_and_unexposed():
    week = CategoryWeek("focus", 14, completed=3, skipped=1, unanswered=4)
    assert (week.with_feedback, week.outcomes, week.unexposed) == (4, 8, 6)
    assert week.rate == 3 / 8


def test_changes_quote_subcategory_counts_and_promise_only_what_the_planner_does():
    s = summary(
        categories=[
            CategoryWeek(
                "movement",
                14,
                completed=10,
                skipped=4,
                kinds=(KindWeek("outdoor", 6, 6), KindWeek("yoga", 4, 8)),
            ),
            CategoryWeek(
                "focus", 6, completed=2, skipped=3, unanswered=1, top_skip_reason="no_time"
            ),
            CategoryWeek("recovery", 5, completed=1, skipped=4, top_skip_reason="too_hard"),
        ]
    )
    lines = explain_changes(s)
    # The subcategory's own counts, not the category's (6 of 6, not 10 of 14).
    assert "More outdoor in your movement slots: you completed 6 of 6 outdoor tasks." in lines
    assert (
        "Your focus slots will try other kinds of focus task: you completed 2 of 6, "
        "mostly because there was no time." in lines
    )
    assert any(line.startswith("Your recovery slots will try easier and other") for line in lines)
    assert not any("Fewer" in line or "fewer" in line for line in lines)


def test_changes_without_feedback_invite_the_user():
    lines = explain_changes(
        summary(
            tasks_completed=0,
            categories=[CategoryWeek("work", 4)],
            learning_phase="discovery",
        )
    )
    assert lines[0].startswith("No feedback yet this week")
    assert "experiments" in lines[-1]


@pytest.fixture
def week_of_outcomes(task_library, monkeypatch):
    """A user who completes every movement task and skips every focus task for two weeks."""
    user = uuid.uuid4()
    ProfileFactory(user_id=user, archetype="Connected Explorer")
    for offset in range(14):
        day = MONDAY - timedelta(days=7) + timedelta(days=offset)
        stored = generate_plan(user, "Connected Explorer", day)
        outcomes = []
        for item in stored.items:
            if item.category == "movement":
                outcomes.append(Outcome(item.id, True))
            elif item.category == "focus":
                outcomes.append(Outcome(item.id, False, skip_reason="no_time"))
            elif offset >= 7:
                outcomes.append(Outcome(item.id, offset % 2 == 0))
        record_outcomes(
            user,
            outcomes,
            now=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=21),
        )
    return user


@pytest.mark.django_db
def test_weekly_summary_from_the_database(week_of_outcomes, django_assert_max_num_queries):
    from profiles.models import UserPreferenceProfile

    profile = UserPreferenceProfile.objects.get(user_id=week_of_outcomes)
    with django_assert_max_num_queries(6):
        s = weekly_summary(profile, MONDAY)
    items = PlanItem.objects.filter(user_id=week_of_outcomes)
    assert s.tasks_scheduled == items.filter(scheduled_date__gte=MONDAY).count()
    # The user completes about three tasks a day: the plans shrank during the first week.
    assert s.tasks_scheduled < 7 * 15
    assert s.next_shape.size == profile.daily_capacity < 15
    movement = next(c for c in s.categories if c.category == "movement")
    assert movement.completed == movement.with_feedback == movement.scheduled
    assert s.strongest_category == "movement"
    assert s.weakest_category == "focus"
    assert s.previous_completed > 0
    assert s.previous_scheduled == items.filter(scheduled_date__lt=MONDAY).count()
    assert s.new_tasks_tried  # week two completed tasks not completed in week one
    assert any(line.startswith("More ") and "movement" in line for line in s.changes)
    assert any("focus" in line and "no time" in line for line in s.changes)
    # What the planner will do, said as it will do it: lighter days, no focus slot to spare.
    assert s.changes[0].startswith(f"Lighter days: {s.next_shape.size} tasks a day instead of 15")
    assert s.next_shape.fewer  # fewer slots than the full layout, said category by category
    for category, slots in s.next_shape.fewer.items():
        assert f"Fewer {category} tasks ({slots} fewer a day)" in " ".join(s.changes)
    assert not any(line.startswith("Fewer movement") for line in s.changes)
    assert s.previous_completion_rate is not None


@pytest.mark.django_db
def test_weekly_summary_api_json_and_html(api_client, week_of_outcomes, monkeypatch):
    monkeypatch.setattr(services.timezone, "now", lambda: datetime(2026, 11, 20, 12, tzinfo=UTC))
    url = f"/api/v1/feedback/summary/{week_of_outcomes}/weekly"
    body = api_client.get(url).json()  # default: the current week (Mon 16 Nov)
    assert body["week_start"] == "2026-11-16"
    for field in (
        "tasks_scheduled",
        "tasks_completed",
        "completion_rate",
        "completion_rate_change_points",
        "current_streak",
        "longest_streak",
        "new_tasks_tried",
        "strongest_category",
        "weakest_category",
        "changes_for_next_week",
    ):
        assert field in body
    assert body["strongest_category"] == "movement"
    html = api_client.get(url, {"week_start": "2026-11-16", "format": "html"})
    assert html.status_code == 200
    assert html["Content-Type"].startswith("text/html")
    text = html.content.decode()
    assert "What we&#x27;ll change next week" in text or "What we'll change next week" in text
    assert "Movement" in text and "<table" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ({"week_start": "2026-11-17"}, "week_start"),
        ({"week_start": "soon"}, "week_start"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_weekly_summary_rejects_bad_queries(api_client, query, field):
    profile = ProfileFactory()
    response = api_client.get(f"/api/v1/feedback/summary/{profile.user_id}/weekly", query)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_weekly_summary_unknown_user_is_404(api_client):
    response = api_client.get(f"/api/v1/feedback/summary/{uuid.uuid4()}/weekly")
    assert response.status_code == 404


def _evening(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=21)


@pytest.mark.django_db
def test_a_completion_only_week_counts_the_silence(task_library):
    """The spec's client ticks what is done and says nothing else: the summary must still
    show what was scheduled and left undone, not "Focus 0 of 0"."""
    from profiles.models import UserPreferenceProfile

    user = uuid.uuid4()
    ProfileFactory(user_id=user, archetype="Connected Explorer")
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        stored = generate_plan(user, "Connected Explorer", day)
        ticks = [Outcome(i.id, True) for i in stored.items if i.category == "hydration"]
        record_outcomes(user, ticks, now=_evening(day))
    profile = UserPreferenceProfile.objects.get(user_id=user)
    s = weekly_summary(profile, MONDAY, today=MONDAY + timedelta(days=7))
    focus = next(c for c in s.categories if c.category == "focus")
    assert focus.scheduled > 0
    assert focus.completed == 0 and focus.unanswered == focus.scheduled == focus.outcomes
    assert s.tasks_unanswered == s.tasks_scheduled - s.tasks_completed
    assert s.weakest_category != "hydration" and s.strongest_category == "hydration"
    assert s.previous_completion_rate is None  # no previous week: null, not 0.0


@pytest.mark.django_db
def test_a_late_wake_time_never_counts_more_completions_than_tasks(task_library):
    """With a 23:59 wake time most of a plan falls on the next day: the week counts each
    item by its own date, so completed never exceeds scheduled."""
    from profiles.models import UserPreferenceProfile

    user = uuid.uuid4()
    ProfileFactory(user_id=user, archetype="Connected Explorer")
    for offset in range(7):
        day = MONDAY + timedelta(days=offset)
        stored = generate_plan(
            user, "Connected Explorer", day, preferences={"wake_time": time(23, 59)}
        )
        record_outcomes(user, [Outcome(i.id, True) for i in stored.items], now=_evening(day))
    profile = UserPreferenceProfile.objects.get(user_id=user)
    s = weekly_summary(profile, MONDAY, today=MONDAY + timedelta(days=14))
    assert 0 < s.tasks_completed <= s.tasks_scheduled
    assert s.completion_rate <= 1.0
    for category in s.categories:
        assert category.completed <= category.scheduled


@pytest.mark.django_db
def test_a_past_week_shows_that_weeks_streak(week_of_outcomes):
    from profiles.models import UserPreferenceProfile

    profile = UserPreferenceProfile.objects.get(user_id=week_of_outcomes)
    first_week = weekly_summary(profile, MONDAY - timedelta(days=7), today=MONDAY + timedelta(30))
    # Movement is completed every day of the first week: a 7-day streak as of its Sunday,
    # whatever happened since.
    assert first_week.current_streak == 7
    later = weekly_summary(profile, MONDAY + timedelta(days=14), today=MONDAY + timedelta(30))
    assert later.current_streak == 0  # nothing completed in that week


@pytest.mark.django_db
def test_the_html_page_shows_unticked_tasks(api_client, task_library):
    user = uuid.uuid4()
    ProfileFactory(user_id=user, archetype="Connected Explorer")
    stored = generate_plan(user, "Connected Explorer", MONDAY)
    record_outcomes(user, [Outcome(stored.items[0].id, True)], now=_evening(MONDAY))
    url = f"/api/v1/feedback/summary/{user}/weekly"
    text = api_client.get(url, {"week_start": MONDAY.isoformat(), "format": "html"}).content
    assert b"left unticked" in text and b"got no tick" in text


@pytest.mark.django_db
def test_each_promise_holds_in_next_weeks_plans(task_library, settings):
    """The summary says "More X in your C slots": generate next week's plans and check that
    X fills a larger share of C's slots than the static policy gives the same days."""
    from profiles.models import UserPreferenceProfile
    from routines.models import PlanItem

    settings.SCORING_POLICY = "adaptive"
    user = uuid.uuid5(uuid.NAMESPACE_URL, "promise-test")
    ProfileFactory(user_id=user, archetype="Connected Explorer")
    from library.models import Task

    subcategory_of = {str(t.id): t.subcategory for t in Task.objects.all()}
    for offset in range(14):
        day = MONDAY - timedelta(days=7) + timedelta(days=offset)
        stored = generate_plan(user, "Connected Explorer", day)
        outcomes = [
            Outcome(i.id, subcategory_of.get(str(i.task_library_id)) == "tea")
            for i in stored.items
            if i.category == "hydration"
        ]
        record_outcomes(user, outcomes, now=_evening(day))
    profile = UserPreferenceProfile.objects.get(user_id=user)
    s = weekly_summary(profile, MONDAY, today=MONDAY + timedelta(days=7))
    promises = [line for line in s.changes if line.startswith("More ")]
    assert promises == ["More tea in your hydration slots: " + promises[0].split(": ", 1)[1]]

    def tea_share(start: date) -> float:
        items = PlanItem.objects.filter(
            user_id=user,
            category="hydration",
            scheduled_date__gte=start,
            scheduled_date__lt=start + timedelta(days=7),
        ).values_list("task_library_id", flat=True)
        subs = [subcategory_of.get(str(t)) for t in items]
        return subs.count("tea") / len(subs)

    next_week = [MONDAY + timedelta(days=7 + offset) for offset in range(7)]
    for day in next_week:
        generate_plan(user, "Connected Explorer", day)
    promised = tea_share(next_week[0])
    settings.SCORING_POLICY = "static"  # the same days, planned without what was learned
    for day in next_week:
        generate_plan(user, "Connected Explorer", day, regenerate=True)
    assert promised > tea_share(next_week[0])
