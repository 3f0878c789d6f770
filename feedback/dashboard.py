"""The admin dashboard's success metrics: read from the daily rollups, checked against live.

`success_metrics` reads the rollups of the closed days (three small queries whatever the
size of plan_items and user_task_feedback). `live_success_metrics` is the reference: the
same figures from the plans, items and the outcome model directly, as the dashboard read
them before the rollups. Tests assert the two agree on random histories and the benchmark
measures both; nothing else should call it (it scans every item of the window).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek

from routines.models import Plan, PlanItem, PlanType

from .models import DailyPlanRollup, HydrationVarietyRollup
from .outcomes import outcomes_by_category
from .rollup_reads import category_outcomes
from .rollups import VARIETY_MIN_TASKS, week_chunks


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
    completion_by_category: list[tuple[str, int, int]]  # (category, completed, outcomes)

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


def window(days: int, today: date) -> tuple[date, date]:
    return today - timedelta(days=days), today - timedelta(days=1)


def success_metrics(days: int, today: date) -> SuccessMetrics:
    """Dynamic plan success, hydration variety, feedback collection, completion by category.

    Plans and items count by plan date; variety follows the spec ("3+ different hydration
    tasks in 7 days"), per user and calendar week inside the window, read from the stretch
    counts of `hydration_variety_rollups` (no user ids stored, see its model). The feedback
    collection rate is per item (items with feedback / items), so it sums from anonymous
    rows. Completion by category counts outcomes by the item's own date. Three queries over
    rollup rows, however many items and users the window holds.
    """
    since, until = window(days, today)
    plans = (
        DailyPlanRollup.objects.filter(day__gte=since, day__lte=until)
        .values("plan_type")
        .annotate(plans=Sum("plans"), items=Sum("items"), answered=Sum("items_with_feedback"))
        .order_by()
    )
    by_type = {row["plan_type"]: row for row in plans}
    stretches = week_chunks(since, until)
    variety = {
        (first, last): (user_weeks, varied)
        for first, last, user_weeks, varied in HydrationVarietyRollup.objects.filter(
            last_day__in=[last for _, last in stretches]
        ).values_list("first_day", "last_day", "user_weeks", "varied")
    }
    user_weeks = [variety.get(stretch, (0, 0)) for stretch in stretches]
    by_category = [
        (row.category, row.completed, row.outcomes)
        for row in category_outcomes(since, until)
        if row.outcomes
    ]
    return SuccessMetrics(
        days=days,
        plans=sum(row["plans"] for row in by_type.values()),
        dynamic_plans=by_type.get(PlanType.DYNAMIC, {}).get("plans", 0),
        user_weeks=sum(n for n, _ in user_weeks),
        user_weeks_with_hydration_variety=sum(varied for _, varied in user_weeks),
        items_due=sum(row["items"] for row in by_type.values()),
        items_with_feedback=sum(row["answered"] for row in by_type.values()),
        completion_by_category=by_category,
    )


def live_success_metrics(days: int, today: date) -> SuccessMetrics:
    """The reference definition, from the base tables (four grouped queries over every
    item of the window): what `success_metrics` must equal once the window is rolled up."""
    since, until = window(days, today)
    plans = dict(
        Plan.objects.filter(date__gte=since, date__lte=until)
        .values_list("plan_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    weeks = list(
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
    items = PlanItem.objects.filter(plan__date__gte=since, plan__date__lte=until).aggregate(
        due=Count("id"), with_feedback=Count("feedback", distinct=True)
    )
    return SuccessMetrics(
        days=days,
        plans=sum(plans.values()),
        dynamic_plans=plans.get(PlanType.DYNAMIC, 0),
        user_weeks=len(weeks),
        user_weeks_with_hydration_variety=sum(1 for n in weeks if n >= VARIETY_MIN_TASKS),
        items_due=items["due"],
        items_with_feedback=items["with_feedback"],
        completion_by_category=outcomes_by_category(since, until, today),
    )
