from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from core.admin_access import require_model_permissions
from core.admin_readonly import ReadOnlyAdmin
from profiles.models import UserPreferenceProfile

from .admin_performance import task_performance_view
from .admin_profiles import PROFILE_DISPLAY_FIELDS, PROFILE_FIELDSETS, ProfileDisplayMixin
from .lift import MIN_OUTCOMES_PER_GROUP, MIN_USERS_PER_GROUP, dashboard_lift
from .lift_display import lift_rows, trend_bars
from .models import PolicyEstimate, UserTaskFeedback
from .selectors import latest_policy_estimates, success_metrics


@admin.register(UserTaskFeedback)
class UserTaskFeedbackAdmin(ReadOnlyAdmin):
    list_display = (
        "user_id",
        "scheduled_date",
        "category",
        "completed",
        "skip_reason",
        "satisfaction_rating",
        "completed_early_minutes",
    )
    list_filter = ("completed", "skip_reason", "category", "scheduled_date", "mode_at_time")
    search_fields = ("user_id",)
    date_hierarchy = "scheduled_date"
    list_select_related = ("task_library",)

    def get_urls(self):
        return [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="feedback_dashboard",
            ),
            path(
                "task-performance/",
                self.admin_site.admin_view(self.task_performance_view),
                name="feedback_task_performance",
            ),
            *super().get_urls(),
        ]

    def task_performance_view(self, request):
        return task_performance_view(self, request)

    def dashboard_view(self, request):
        # Aggregates of every user's feedback and the policy estimates.
        require_model_permissions(request, (UserTaskFeedback, "view"), (PolicyEstimate, "view"))
        today = timezone.localdate()
        windows = [success_metrics(7, today), success_metrics(28, today)]
        categories = sorted({c for w in windows for c, _, _ in w.completion_by_category})
        chart = []
        for category in categories:
            row = {"category": category}
            for window in windows:
                done, seen = next(
                    ((d, s) for c, d, s in window.completion_by_category if c == category),
                    (0, 0),
                )
                row[f"rate_{window.days}"] = done / seen if seen else None
                row[f"label_{window.days}"] = f"{done}/{seen}"
            chart.append(row)
        # The holdout's lift: aggregates of feedback too (the same view rights).
        lifts, trend = dashboard_lift(today)
        context = {
            **self.admin_site.each_context(request),
            "title": "Personalization dashboard",
            "windows": windows,
            "chart": chart,
            "lifts": [(lift, lift_rows(lift)) for lift in lifts],
            "trend": trend_bars(trend),
            "lift_minimum": (MIN_USERS_PER_GROUP, MIN_OUTCOMES_PER_GROUP),
            "estimates": latest_policy_estimates(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/feedback/dashboard.html", context)


@admin.register(UserPreferenceProfile)
class UserPreferenceProfileAdmin(ProfileDisplayMixin, ReadOnlyAdmin):
    list_display = (
        "user_id",
        "archetype",
        "learning_phase",
        "current_mode",
        "completion_rate",
        "profile_confidence",
        "current_streak",
    )
    list_filter = ("archetype", "learning_phase", "current_mode")
    search_fields = ("user_id",)
    readonly_fields = PROFILE_DISPLAY_FIELDS
    fieldsets = PROFILE_FIELDSETS


@admin.register(PolicyEstimate)
class PolicyEstimateAdmin(ReadOnlyAdmin):
    list_display = ("candidate_policy", "since", "until", "events", "supported", "created_at")
    list_filter = ("candidate_policy", "supported")
