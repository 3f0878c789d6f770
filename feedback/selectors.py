import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, When
from django.utils import timezone

from core import sql_rows
from profiles import learning
from profiles.models import UserPreferenceProfile
from profiles.selectors import local_today
from routines.drafting import kinds_drawn_less, upcoming_shape
from routines.models import Plan, PlanItem

from .dashboard import SuccessMetrics, success_metrics  # noqa: F401  (the admin's entry)
from .history import week_completions
from .models import PolicyEstimate, UserTaskFeedback
from .outcomes import OutcomeCount, week_outcomes
from .summary import CategoryWeek, KindWeek, WeeklySummary, explain_changes


@dataclass(frozen=True, slots=True)
class FeedbackTarget:
    """A plan item about to receive feedback, and what is recorded for it so far."""

    item: PlanItem  # only the fields feedback copies; the rest deferred
    archetype: str
    readiness_mode: str
    feedback: UserTaskFeedback | None


# What feedback copies from its plan item: not the item's text or slot propensities.
_TARGET_ITEM_FIELDS = [
    "id",
    "user_id",
    "task_library",
    "scheduled_date",
    "scheduled_time",
    "category",
    "time_of_day",
    "replaced_by",
]
_FEEDBACK_FIELDS = [f.name for f in UserTaskFeedback._meta.concrete_fields]


def feedback_targets(
    user_id: uuid.UUID, plan_item_ids: list[uuid.UUID]
) -> dict[uuid.UUID, FeedbackTarget]:
    """The user's plan items among these ids, each with its plan and existing feedback.

    One statement (items, plans, feedback joined); another user's item is simply absent.
    Run it after locking the profile: the feedback it returns is then what gets merged.
    """
    ids = list(dict.fromkeys(plan_item_ids))
    if not ids:
        return {}
    item_columns = sql_rows.columns(PlanItem, "i", _TARGET_ITEM_FIELDS)
    feedback_columns = sql_rows.columns(UserTaskFeedback, "f", _FEEDBACK_FIELDS)
    sql = (
        f"SELECT {item_columns}, p.archetype, p.readiness_mode, {feedback_columns} "
        f"FROM {PlanItem._meta.db_table} i JOIN {Plan._meta.db_table} p ON p.id = i.plan_id "
        f"LEFT JOIN {UserTaskFeedback._meta.db_table} f "
        "ON f.user_id = i.user_id AND f.plan_item_id = i.id "
        f"WHERE i.user_id = %s AND i.id IN ({', '.join(['%s'] * len(ids))})"
    )
    params = [sql_rows.param(PlanItem, "user_id", user_id)]
    params += [sql_rows.param(PlanItem, "id", item_id) for item_id in ids]
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    targets = {}
    split = len(_TARGET_ITEM_FIELDS)
    for row in rows:
        item = sql_rows.instance(PlanItem, _TARGET_ITEM_FIELDS, row[:split])
        feedback_row = row[split + 2 :]
        feedback = (
            sql_rows.instance(UserTaskFeedback, _FEEDBACK_FIELDS, feedback_row)
            if feedback_row[0] is not None
            else None
        )
        targets[item.id] = FeedbackTarget(item, row[split], row[split + 1], feedback)
    return targets


def weekly_summary(
    profile: UserPreferenceProfile, week_start: date, today: date | None = None
) -> WeeklySummary:
    """The week's numbers from the outcome model, counted by each item's own date.

    Six queries (plus the profile already loaded): scheduled items of the two weeks,
    their outcomes, the folded totals, the live days with a completion and the week's new
    tasks (one statement: history.week_completions), and the task library's version (the
    next plans' shape; the library itself is cached). Each reads a bounded window, unless
    the week reaches back into folded days (five weeks ago or more).
    """
    today = today or local_today(profile, timezone.now())
    week_end = week_start + timedelta(days=6)
    previous_start = week_start - timedelta(days=7)
    user_id = profile.user_id

    scheduled = (
        PlanItem.objects.filter(
            user_id=user_id,
            scheduled_date__gte=previous_start,
            scheduled_date__lte=week_end,
            replaced_by__isnull=True,  # the plan's tasks as they stand: swaps counted apart
        )
        .annotate(this_week=Case(When(scheduled_date__gte=week_start, then=True), default=False))
        .values_list("this_week", "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    scheduled_by_category: Counter = Counter()
    previous_scheduled = 0
    for this_week, category, n in scheduled:
        if this_week:
            scheduled_by_category[category] += n
        else:
            previous_scheduled += n
    counts = week_outcomes(user_id, week_start, today)
    previous_completed = sum(
        c.count for c in counts if not c.this_week and c.state == learning.COMPLETED
    )
    mine = [c for c in counts if c.this_week]
    categories = [
        _category_week(category, scheduled_by_category.get(category, 0), mine)
        for category in sorted({c.category for c in mine} | set(scheduled_by_category))
    ]
    # The streak as it stood at the end of that week (today's for the current week).
    recent = week_completions(user_id, week_start, week_end, today)
    if recent is None:
        recent = _week_completions_from_everything(user_id, week_start, week_end, today)
    current_streak, longest_streak, new_tasks = recent
    summary = WeeklySummary(
        user_id=str(user_id),
        week_start=week_start,
        week_end=week_end,
        tasks_scheduled=sum(scheduled_by_category.values()),
        tasks_completed=sum(c.completed for c in categories),
        previous_scheduled=previous_scheduled,
        previous_completed=previous_completed,
        current_streak=current_streak,
        longest_streak=longest_streak,
        new_tasks_tried=new_tasks,
        categories=categories,
        learning_phase=profile.learning_phase,
        current_mode=profile.current_mode,
        next_shape=upcoming_shape(profile),
    )
    swapped = [(category, kind.subcategory) for category, kind in summary.swapped_kinds()]
    if swapped:
        summary.drawn_less = frozenset(kinds_drawn_less(profile, swapped))
    summary.changes = explain_changes(summary)
    return summary


def _week_completions_from_everything(
    user_id: uuid.UUID, week_start: date, week_end: date, today: date
) -> tuple[int, int, list[str]]:
    """week_completions for a week that reaches into folded days: every completion read."""
    anchor = min(today, week_end)
    completed_days = (
        UserTaskFeedback.objects.filter(user_id=user_id, completed=True, scheduled_date__lte=anchor)
        .values_list("scheduled_date", flat=True)
        .distinct()
        .order_by()
    )
    current_streak, longest_streak = learning.streaks(completed_days, anchor)
    feedback = UserTaskFeedback.objects.filter(user_id=user_id)
    earlier_completed = feedback.filter(scheduled_date__lt=week_start, completed=True).values(
        "task_library_id"
    )
    new_tasks = list(
        feedback.filter(
            scheduled_date__gte=week_start,
            scheduled_date__lte=anchor,
            completed=True,
            task_library__isnull=False,
        )
        .exclude(task_library_id__in=earlier_completed)
        .values_list("task_library__name", flat=True)
        .distinct()
        .order_by("task_library__name")
    )
    return current_streak, longest_streak, new_tasks


def _category_week(category: str, scheduled: int, counts: list[OutcomeCount]) -> CategoryWeek:
    by_state: Counter = Counter()
    skip_reasons: Counter = Counter()
    kinds: dict[str, list[int]] = {}
    for c in counts:
        if c.category != category:
            continue
        by_state[c.state] += c.count
        if c.state == learning.SKIPPED and c.skip_reason:
            skip_reasons[c.skip_reason] += c.count
        if c.subcategory:
            kind = kinds.setdefault(c.subcategory, [0, 0, 0])
            if c.state == learning.SWAPPED:  # counted apart: the task left the plan
                kind[2] += c.count
                continue
            kind[0] += c.count if c.state == learning.COMPLETED else 0
            kind[1] += c.count
    return CategoryWeek(
        category=category,
        scheduled=scheduled,
        completed=by_state[learning.COMPLETED],
        skipped=by_state[learning.SKIPPED],
        unanswered=by_state[learning.UNANSWERED],
        top_skip_reason=skip_reasons.most_common(1)[0][0] if skip_reasons else None,
        kinds=tuple(
            KindWeek(sub, done, n, swapped) for sub, (done, n, swapped) in sorted(kinds.items())
        ),
        swapped=by_state[learning.SWAPPED],
    )


def latest_policy_estimates() -> list[PolicyEstimate]:
    """The newest stored estimate for each candidate policy."""
    latest = {}
    for estimate in PolicyEstimate.objects.order_by("-created_at")[:50]:
        latest.setdefault(estimate.candidate_policy, estimate)
    return list(latest.values())
