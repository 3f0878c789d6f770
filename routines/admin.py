import uuid

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from core.admin_access import require_model_permissions
from core.admin_readonly import ReadOnlyAdmin
from profiles.selectors import get_profile

from .drafting import PlanningError, PlanRequest, draft_dynamic_plan
from .forms import PlanPreviewForm
from .models import Plan, PlanItem, TaskRotationState

# Previews without a user plan for nobody: no profile, no rotation history.
PREVIEW_USER = uuid.UUID(int=0)


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    fields = (
        "scheduled_time",
        "title",
        "category",
        "priority",
        "variation_group",
        "policy",
        "propensity",
    )
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = (
        "user_id",
        "date",
        "plan_type",
        "readiness_mode",
        "archetype",
        "fallback_reason",
    )
    list_filter = ("plan_type", "readiness_mode", "archetype", "date")
    search_fields = ("user_id",)
    date_hierarchy = "date"
    inlines = [PlanItemInline]

    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="routines_plan_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The plan the engine would generate, slot by slot with scores. Nothing is saved."""
        require_model_permissions(request, (Plan, "view"))
        form = PlanPreviewForm(request.GET or None)
        blocks, error, profile = None, "", None
        if form.is_valid():
            data = form.cleaned_data
            user_id = data["user_id"]
            if user_id:
                # A user's preview shows their rotation history and learned profile.
                require_model_permissions(request, (TaskRotationState, "view"))
            profile = get_profile(user_id) if user_id else None
            if profile is not None:
                require_model_permissions(request, (type(profile), "view"))
            try:
                draft = draft_dynamic_plan(
                    PlanRequest(
                        user_id or PREVIEW_USER,
                        data["archetype"],
                        data["date"],
                        data["mode"],
                        data["wake_time"],
                        profile,
                    )
                )
                blocks = draft.blocks
            except PlanningError as exc:
                error = str(exc)
        context = {
            **self.admin_site.each_context(request),
            "title": "Plan preview",
            "form": form,
            "blocks": blocks,
            "error": error,
            "profile": profile,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/routines/plan_preview.html", context)


@admin.register(TaskRotationState)
class TaskRotationStateAdmin(ReadOnlyAdmin):
    list_display = ("user_id", "variation_group", "last_used_date", "times_used", "task_library")
    list_filter = ("variation_group", "last_used_date")
    search_fields = ("user_id", "variation_group")
    list_select_related = ("task_library",)
