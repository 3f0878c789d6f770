import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from core import sql_rows
from library.models import Task
from profiles.learning import OutcomeGroup, OutcomeHistory
from profiles.models import UserPreferenceProfile
from routines.models import Plan, PlanItem

from .models import PolicyEstimate, UserTaskFeedback
from .summary import CategoryWeek, WeeklySummary, explain_changes

_HISTORY_SQL = """
SELECT 0, f.category, t.subcategory, t.difficulty, f.time_of_day,
       COUNT(*),
       SUM(CASE WHEN f.completed THEN 1 ELSE 0 END),
       SUM(CASE WHEN f.scheduled_date >= %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN f.completed AND f.scheduled_date >= %s THEN 1 ELSE 0 END),
       NULL, CAST(NULL AS DATE)
  FROM {feedback} f LEFT JOIN {task} t ON t.id = f.task_library_id
 WHERE f.user_id = %s AND f.scheduled_date >= %s
 GROUP BY f.category, t.subcategory, t.difficulty, f.time_of_day
UNION ALL
SELECT 1, NULL, NULL, NULL, NULL,
       COUNT(*),
       COALESCE(SUM(CASE WHEN completed THEN 1 ELSE 0 END), 0),
       COUNT(DISTINCT CASE WHEN completed THEN task_library_id END),
       COUNT(DISTINCT CASE WHEN completed AND scheduled_date >= %s THEN task_library_id END),
       COUNT(DISTINCT scheduled_date), CAST(NULL AS DATE)
  FROM {feedback} WHERE user_id = %s
UNION ALL
SELECT DISTINCT 2, NULL, NULL, NULL, NULL, 0, 0, 0, 0, CAST(NULL AS BIGINT), scheduled_date
  FROM {feedback} WHERE user_id = %s AND completed
"""


def outcome_history(user_id: uuid.UUID, since: date, evidence_since: date) -> OutcomeHistory:
    """Grouped outcomes, lifetime totals and completed days, in one statement.

    Feedback is recorded on the hot path of the app, and this read runs inside every
    feedback transaction: one round trip instead of three aggregate queries. Portable SQL
    (SQLite and PostgreSQL), aggregated in the database, so the rows returned stay few
    however long the user's history is: a handful of groups plus one row per completed day.
    """
    user = sql_rows.param(UserTaskFeedback, "user_id", user_id)
    sql = _HISTORY_SQL.format(feedback=UserTaskFeedback._meta.db_table, task=Task._meta.db_table)
    with sql_rows.cursor() as cursor:
        cursor.execute(sql, [since, since, user, evidence_since, since, user, user])
        rows = cursor.fetchall()
    groups, evidence_groups, completed_days = [], [], []
    totals = (0, 0, 0, 0, 0)
    for kind, category, sub, difficulty, part, seen, done, a, b, days, day in rows:
        if kind == 0:
            evidence_groups.append(OutcomeGroup(category, sub, difficulty, part, seen, done))
            if a:
                groups.append(OutcomeGroup(category, sub, difficulty, part, a, b))
        elif kind == 1:
            totals = (seen, done, a, b, days)
        else:
            completed_days.append(day if isinstance(day, date) else date.fromisoformat(day))
    return OutcomeHistory(groups, evidence_groups, *totals, completed_days)


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


def weekly_summary(profile: UserPreferenceProfile, week_start: date) -> WeeklySummary:
    """The week's numbers in five grouped queries (plus the profile already loaded)."""
    week_end = week_start + timedelta(days=6)
    previous_start = week_start - timedelta(days=7)
    user_id = profile.user_id

    scheduled_by_category = dict(
        PlanItem.objects.filter(
            user_id=user_id, plan__date__gte=week_start, plan__date__lte=week_end
        )
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    previous_scheduled = PlanItem.objects.filter(
        user_id=user_id, plan__date__gte=previous_start, plan__date__lt=week_start
    ).count()
    feedback = UserTaskFeedback.objects.filter(user_id=user_id)
    this_week = feedback.filter(scheduled_date__gte=week_start, scheduled_date__lte=week_end)
    rows = list(
        this_week.values_list("category", "task_library__subcategory", "completed", "skip_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    previous_completed = feedback.filter(
        scheduled_date__gte=previous_start, scheduled_date__lt=week_start, completed=True
    ).count()
    earlier_completed = feedback.filter(scheduled_date__lt=week_start, completed=True).values(
        "task_library_id"
    )
    new_tasks = list(
        this_week.filter(completed=True, task_library__isnull=False)
        .exclude(task_library_id__in=earlier_completed)
        .values_list("task_library__name", flat=True)
        .distinct()
        .order_by("task_library__name")
    )

    categories = []
    for category in sorted({r[0] for r in rows} | set(scheduled_by_category)):
        mine = [r for r in rows if r[0] == category]
        done_by_sub: Counter = Counter()
        skip_reasons: Counter = Counter()
        for _, sub, completed, reason, n in mine:
            if completed and sub:
                done_by_sub[sub] += n
            if not completed and reason:
                skip_reasons[reason] += n
        categories.append(
            CategoryWeek(
                category=category,
                scheduled=scheduled_by_category.get(category, 0),
                with_feedback=sum(r[4] for r in mine),
                completed=sum(r[4] for r in mine if r[2]),
                top_subcategory=done_by_sub.most_common(1)[0][0] if done_by_sub else None,
                top_skip_reason=skip_reasons.most_common(1)[0][0] if skip_reasons else None,
            )
        )
    summary = WeeklySummary(
        user_id=str(user_id),
        week_start=week_start,
        week_end=week_end,
        tasks_scheduled=sum(scheduled_by_category.values()),
        tasks_completed=sum(c.completed for c in categories),
        previous_scheduled=previous_scheduled,
        previous_completed=previous_completed,
        current_streak=profile.current_streak,
        longest_streak=profile.longest_streak,
        new_tasks_tried=new_tasks,
        categories=categories,
        learning_phase=profile.learning_phase,
        current_mode=profile.current_mode,
    )
    summary.changes = explain_changes(summary)
    return summary


@dataclass(frozen=True, slots=True)
class SuccessMetrics:
    """The spec's success metrics over a window of days ending yesterday."""

    days: int
    plans: int
    dynamic_plans: int
    user_weeks: int
    user_weeks_with_hydration_variety: int
    items_due: int
    items_with_feedback: int
    completion_by_category: list[tuple[str, int, int]]  # (category, completed, with feedback)

    @property
    def dynamic_success_rate(self) -> float | None:
        return self.dynamic_plans / self.plans if self.plans else None

    @property
    def hydration_variety_share(self) -> float | None:
        if not self.user_weeks:
            return None
        return self.user_weeks_with_hydration_variety / self.user_weeks

    @property
    def feedback_collection_rate(self) -> float | None:
        return self.items_with_feedback / self.items_due if self.items_due else None


def success_metrics(days: int, today: date) -> SuccessMetrics:
    """Dynamic plan success, hydration variety, feedback collection, completion by category.

    Variety follows the spec ("3+ different hydration tasks in 7 days"), counted per user
    and calendar week inside the window. Four grouped queries.
    """
    since, until = today - timedelta(days=days), today - timedelta(days=1)
    plans = dict(
        Plan.objects.filter(date__gte=since, date__lte=until)
        .values_list("plan_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    weeks = (
        PlanItem.objects.filter(
            category="hydration",
            plan__date__gte=since,
            plan__date__lte=until,
            task_library__isnull=False,
        )
        .annotate(week=TruncWeek("plan__date"))
        .values("user_id", "week")
        .annotate(distinct_tasks=Count("task_library", distinct=True))
        .values_list("distinct_tasks", flat=True)
    )
    weeks = list(weeks)
    items = PlanItem.objects.filter(plan__date__gte=since, plan__date__lte=until).aggregate(
        due=Count("id"), with_feedback=Count("feedback", distinct=True)
    )
    by_category = (
        UserTaskFeedback.objects.filter(scheduled_date__gte=since, scheduled_date__lte=until)
        .values_list("category")
        .annotate(done=Count("id", filter=Q(completed=True)), seen=Count("id"))
        .order_by("category")
    )
    return SuccessMetrics(
        days=days,
        plans=sum(plans.values()),
        dynamic_plans=plans.get("dynamic_routine", 0),
        user_weeks=len(weeks),
        user_weeks_with_hydration_variety=sum(1 for n in weeks if n >= 3),
        items_due=items["due"],
        items_with_feedback=items["with_feedback"],
        completion_by_category=[(c, done, seen) for c, done, seen in by_category],
    )


def latest_policy_estimates() -> list[PolicyEstimate]:
    """The newest stored estimate for each candidate policy."""
    latest = {}
    for estimate in PolicyEstimate.objects.order_by("-created_at")[:50]:
        latest.setdefault(estimate.candidate_policy, estimate)
    return list(latest.values())
