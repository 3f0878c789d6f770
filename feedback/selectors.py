import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from routines.models import Plan, PlanItem

from .models import PolicyEstimate, UserPreferenceProfile, UserTaskFeedback
from .summary import CategoryWeek, WeeklySummary, explain_changes


def get_profile(user_id: uuid.UUID) -> UserPreferenceProfile | None:
    return UserPreferenceProfile.objects.filter(user_id=user_id).first()


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
